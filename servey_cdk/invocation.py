"""The invocation pipeline shared by every entry point: authorize → validate → call.

Serializing the result is the caller's last step (`ActionRunner.dump_json` for HTTP
bodies, `ActionRunner.dump` for JSON-shaped Python values). Validators and
serializers are built on an action's first call only, so a router over many actions
pays at start-up only for the ones it runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from servey_cdk.action import Action
from servey_cdk.authorization import Authorization
from servey_cdk.errors import ActionFailed, Forbidden, InvalidInput, ServeyError, Unauthorized
from servey_cdk.middleware import CallNext, Invocation, Middleware, chain
from servey_cdk.signature import signature_of

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter

_loops = threading.local()


def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run an async action to completion on this thread's own event loop."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


class ActionRunner:
    """One action made ready to call: its validators, serializer and middleware chain."""

    def __init__(
        self,
        action: Action,
        middlewares: tuple[Middleware, ...] = (),
        owner_type: type | None = None,
    ) -> None:
        self.action = action
        self.owner_type = owner_type
        self.signature = signature_of(action)
        self._call: CallNext = chain(middlewares, self._call_function)

    @cached_property
    def params_model(self) -> type[BaseModel]:
        from pydantic import ConfigDict, create_model

        fields: dict[str, Any] = {
            parameter.name: (parameter.annotation, ... if parameter.required else parameter.default)
            for parameter in self.signature.inputs
        }
        return create_model(  # type: ignore[call-overload, no-any-return]
            f"{self.action.name}_params",
            __config__=ConfigDict(arbitrary_types_allowed=False),
            **fields,
        )

    @cached_property
    def result_adapter(self) -> TypeAdapter[Any]:
        from pydantic import TypeAdapter

        return TypeAdapter(self.signature.returns)

    @cached_property
    def owner_adapter(self) -> TypeAdapter[Any]:
        from pydantic import TypeAdapter

        if self.owner_type is None:
            raise TypeError(f"nested action {self.action.name!r} has no known owner type")
        return TypeAdapter(self.owner_type)

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        from pydantic import ValidationError

        try:
            return dict(self.params_model.model_validate(raw).__dict__)
        except ValidationError as error:
            raise invalid_input(self.action.name, error) from None

    def validate_owner(self, raw: Any) -> Any:
        from pydantic import ValidationError

        try:
            return self.owner_adapter.validate_python(raw)
        except ValidationError as error:
            raise invalid_input(self.action.name, error, prefix=("source",)) from None

    def invoke(
        self,
        raw_params: Mapping[str, Any],
        *,
        authorization: Authorization | None,
        source: str,
        request_id: str,
        owner: Any = None,
    ) -> Any:
        """Authorize, validate and call; returns the action's Python result."""
        if not self.action.access_control.is_executable(authorization):
            if authorization is None:
                raise Unauthorized(f"action {self.action.name!r} needs a valid token")
            raise Forbidden(f"the token does not allow action {self.action.name!r}")
        params = self.validate(raw_params)
        if self.signature.authorization is not None:
            params[self.signature.authorization] = authorization
        if self.signature.has_owner:
            owner = self.validate_owner(owner)
        invocation = Invocation(self.action, params, authorization, source, request_id, owner)
        try:
            return self._call(invocation)
        except ServeyError:
            raise
        except Exception as error:
            raise ActionFailed(self.action.name) from error

    def _call_function(self, invocation: Invocation) -> Any:
        fn = self.action.fn
        if self.signature.has_owner:
            result = fn(invocation.owner, **invocation.params)
        else:
            result = fn(**invocation.params)
        return run_coroutine(result) if self.action.is_async else result

    def dump_json(self, result: Any) -> bytes:
        return self.result_adapter.dump_json(result)

    def dump(self, result: Any) -> Any:
        return self.result_adapter.dump_python(result, mode="json")


def invalid_input(action_name: str, error: Any, prefix: tuple[str, ...] = ()) -> InvalidInput:
    """Turn a pydantic ValidationError into our 422, naming the action and each field."""
    fields = [
        {"loc": [*prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    described = "; ".join(".".join(map(str, field["loc"])) + ": " + field["msg"] for field in fields)
    return InvalidInput(f"invalid parameters for action {action_name!r}: {described}", fields)
