"""What every adapter shares: the registry, the function's own action, tokens and the log."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from servey_cdk.authorization import Authorization
from servey_cdk.aws.logs import RuntimeLog
from servey_cdk.discovery import Registry
from servey_cdk.errors import ActionFailed, NotFound, ServeyError
from servey_cdk.invocation import ActionRunner

if TYPE_CHECKING:
    from servey_cdk.kms_tokens import TokenVerifier


class Runtime:
    """One Lambda function's view of the app.

    `action` is the function's own action (`SERVEY_ACTION`), or None for the router
    that serves them all. A per-action function refuses every other action.
    """

    def __init__(self, registry: Registry, action: str | None, log: RuntimeLog) -> None:
        self.registry = registry
        self.action = action
        self.log = log
        if action is not None:
            registry.action(action)  # fail at start-up, not per request, on a wrong name

    def serves(self, action: str) -> bool:
        return self.action is None or self.action == action

    def runner(self, action: str) -> ActionRunner:
        if not self.serves(action):
            raise NotFound(f"this function serves action {self.action!r}, not {action!r}")
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
        if isinstance(error, ActionFailed):
            self.log.action_failed(error.action_name, error, **keys)
        else:
            self.log.rejected(f"{error.code}: {error.message}", **keys)


def authorization_from_context(resolver_context: Mapping[str, Any] | None) -> Authorization | None:
    """The claims our AppSync authorizer approved (`sub`, `scope`, `nbf`, `exp` as text)."""
    if not resolver_context or resolver_context.get("sub") is None:
        return None
    from servey_cdk.tokens import authorization_from_claims

    return authorization_from_claims(dict(resolver_context))
