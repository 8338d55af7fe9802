"""What every source plug-in shares: the spec, the registry, the function's own actions, tokens, the log."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from servey_cdk.authorization import Authorization
from servey_cdk.aws.logs import RuntimeLog, invoked_context
from servey_cdk.discovery import Registry
from servey_cdk.errors import ActionFailed, NotFound, ServeyError
from servey_cdk.invocation import ActionRunner

if TYPE_CHECKING:
    from servey_cdk.aws.websocket import ConnectionStore
    from servey_cdk.kms_tokens import TokenVerifier

# The AppSpec as JSON values (`AppSpec.to_dict()`, or the code asset's `servey-spec.json` read by `json`):
# what the Lambda side routes from. Read as plain values, it costs no class creation at cold start.
ShippedSpec = Mapping[str, Any]


class Runtime:
    """One Lambda function's view of the app.

    `function` names the FunctionSpec the function runs (`SERVEY_FUNCTION`), or None
    for the whole app in one process (the emulator's in-process mode, tests). A
    function refuses every action it does not serve. The spec says what each source
    routes where; the registry holds the code it runs.
    """

    def __init__(
        self,
        spec: ShippedSpec,
        registry: Registry,
        function: str | None,
        log: RuntimeLog,
        connections: ConnectionStore | None = None,
    ) -> None:
        self.spec = spec
        self.registry = registry
        self.log = log
        self.connections = connections
        self.function = None if function is None else _function(spec, function)
        self._served = None if self.function is None else frozenset(self.function["actions"])

    @property
    def function_name(self) -> str | None:
        return None if self.function is None else str(self.function["name"])

    def entries(self, kind: str) -> list[Mapping[str, Any]]:
        """The spec's entries of one kind (`routes`, `queues`, …) that this function handles."""
        return [entry for entry in self.spec[kind] if self.own(entry["function"])]

    def invoked(self) -> str | None:
        """The function of the spec this invocation is for, when this process serves every function and
        the caller named one (the emulator does, as Lambda does); else None: this process is one."""
        if self.function is not None:
            return None
        # The emulator names the function in the Lambda context when one process serves every function.
        name = getattr(invoked_context(), "function_name", None)
        return name if name is not None and any(f["name"] == name for f in self.spec["functions"]) else None

    def serves(self, action: str) -> bool:
        return self._served is None or action in self._served

    def own(self, function: str) -> bool:
        """Whether a spec entry served by `function` is this function's to handle."""
        return self.function is None or self.function["name"] == function

    def runner(self, action: str) -> ActionRunner:
        if not self.serves(action):
            raise NotFound(f"this function serves {sorted(self._served or ())}, not action {action!r}")
        return self.registry.runner(action)

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        """The one verifier of every token this function receives: KMS on AWS, else HS256.

        Made on the first token, so requests without one never import PyJWT or boto3.
        """
        from servey_cdk.kms_tokens import token_verifier_from_environment

        return token_verifier_from_environment()

    def verify_bearer(self, header: str | None) -> Authorization | None:
        """The authorization of an `Authorization: Bearer` header; None without one."""
        if not header:
            return None
        from servey_cdk.tokens import bearer_token

        return self.verify_token(bearer_token(header))

    def verify_token(self, token: str | None) -> Authorization | None:
        """The authorization a token grants; None without one; `Unauthorized` for a bad one."""
        return self.token_verifier.verify(token) if token else None

    def report(self, error: ServeyError, **keys: Any) -> None:
        """Log a failed invocation: with its traceback when it is the action's own."""
        if isinstance(error, ActionFailed):  # named by the error, whatever `keys` say
            keys.pop("action", None)
            self.log.action_failed(error.action_name, error, **keys)
        else:
            if error.action is not None:
                keys.setdefault("action", error.action)
            self.log.rejected(f"{error.code}: {error.message}", **keys)


def _function(spec: ShippedSpec, name: str) -> Mapping[str, Any]:
    """The function named; a wrong name fails at start-up, not per request."""
    for function in spec["functions"]:
        if function["name"] == name:
            return function  # type: ignore[no-any-return]
    known = ", ".join(function["name"] for function in spec["functions"])
    raise KeyError(f"the app's spec has no function {name!r} (it has {known})")
