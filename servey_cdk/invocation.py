"""The invocation pipeline shared by every entry point: authorize → validate → call.

Serializing the result is the caller's last step (`ActionRunner.dump_json` for HTTP
bodies, `ActionRunner.dump` for JSON-shaped Python values). Validators and
serializers are built on an action's first call only, so a router over many actions
pays at start-up only for the ones it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Mapping
from contextvars import ContextVar
from functools import cached_property
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from servey_cdk.access_control import AllowAll, check_access
from servey_cdk.action import Action
from servey_cdk.annotations import record_fields, unwrap_optional
from servey_cdk.authorization import Authorization
from servey_cdk.batch import batch_outcomes
from servey_cdk.errors import ActionFailed, InvalidInput, ServeyError
from servey_cdk.json_input import MAX_DEPTH, check_depth
from servey_cdk.middleware import CallNext, Invocation, Middleware, chain
from servey_cdk.responses import Response
from servey_cdk.signature import REQUIRED, InputParameter, signature_of
from servey_cdk.triggers import InvocationSource

if TYPE_CHECKING:
    import asyncio

    from pydantic import BaseModel, TypeAdapter

_loops = threading.local()
_running_action: ContextVar[str | None] = ContextVar("servey_running_action", default=None)


def running_action() -> str | None:
    """The action this thread (or task) is running, or None: for what an action may do only if it
    declares it, such as putting events on a bus."""
    return _running_action.get()


def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run an async action to completion on this thread's own event loop."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        import asyncio  # only apps with async actions pay for it

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
        if action.idempotency is not None:  # innermost, so that the app's own middleware runs on repeats too
            from servey_cdk.aws.idempotency import IdempotentCall

            middlewares = (*middlewares, IdempotentCall(self, action.idempotency))
        # Without middleware the function is called directly, with no Invocation to build.
        self._chain: CallNext | None = chain(middlewares, self._call_function) if middlewares else None
        self._open = type(action.access_control) is AllowAll
        self._is_async = action.is_async
        self._scalar_inputs = _scalar_inputs(self.signature.inputs)
        self._scalar_result = _SCALAR_RESULTS.get(self.signature.returns)
        # The function itself where a call is no more than that: not async, nested or a batch's.
        plain = not (self._is_async or self.signature.has_owner or self.signature.sources is not None)
        self._direct: Callable[..., Any] | None = action.fn if plain else None

    @cached_property
    def params_model(self) -> type[BaseModel]:
        from pydantic import ConfigDict, create_model

        fields: dict[str, Any] = {
            parameter.name: (parameter.validated_type, ... if parameter.required else parameter.default)
            for parameter in self.signature.inputs
        }
        return create_model(
            f"{self.action.name}_params",
            __config__=ConfigDict(arbitrary_types_allowed=False),
            **fields,
        )

    @cached_property
    def caller_params_model(self) -> type[BaseModel]:
        """What a caller without the parent object sends (REST, `servey run`): the action's
        parameters and, for a nested action, its parent's fields; the schemas document this."""
        if self.owner_type is None:
            return self.params_model
        from pydantic import create_model

        fields: dict[str, Any] = {
            name: (hint, ... if required else None) for name, hint, required in record_fields(self.owner_type)
        }
        for parameter in self.signature.inputs:
            default = ... if parameter.required else parameter.default
            fields[parameter.name] = (parameter.validated_type, default)
        return create_model(f"{self.action.name}_params", **fields)

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
        if self._scalar_inputs is not None:
            params = _coerce_scalars(self._scalar_inputs, raw)
            if params is not None:
                return params
        from pydantic import ValidationError

        for name, value in raw.items():
            check_depth(value, f"invalid parameters for action {self.action.name!r}: {name}", [name])
        try:
            return dict(self.params_model.model_validate(raw).__dict__)
        except ValidationError as error:
            raise invalid_input(self.action.name, error) from None

    def validate_json(self, text: str) -> dict[str, Any] | None:
        """The parameters from the text of a JSON object, in one pass of pydantic's parser; None
        where `validate` must decide instead: text that might nest deeper than `MAX_DEPTH` (fewer
        brackets than that cannot), or that does not validate as it stands. `validate` gives the
        same parameters, at the cost of Python's parser and a walk of the parsed value."""
        if self._scalar_inputs is not None or self.signature.has_owner or self._strict:
            return None
        if not self._depth_bounded and text.count("{") + text.count("[") > MAX_DEPTH:
            return None
        try:
            # The validator itself: pydantic's `model_validate_json` adds a call and its checks.
            return self.params_model.__pydantic_validator__.validate_json(text).__dict__  # type: ignore[no-any-return]
        except ValueError:  # pydantic's ValidationError is one, and needs no import on each call
            return None

    @cached_property
    def _depth_bounded(self) -> bool:
        """Whether what validates as the parameters nests within `MAX_DEPTH` whatever the text: then
        the text need not be searched for brackets, as anything deeper is in fields pydantic ignores."""
        depth = _nesting_depth(self.params_model.__pydantic_core_schema__)
        return depth is not None and depth <= MAX_DEPTH

    @cached_property
    def _strict(self) -> bool:
        """Whether any part of the parameters is strict, where pydantic's JSON mode takes text that
        its Python mode refuses (a UUID, a date): then `validate` alone decides."""
        return _has_strict(self.params_model.__pydantic_core_schema__)

    @cached_property
    def owner_fields(self) -> frozenset[str]:
        """The fields of a nested action's parent type."""
        if self.owner_type is None:
            return frozenset()
        return frozenset(name for name, _, _ in record_fields(self.owner_type))

    def _split_owner(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """A nested action called with no parent object (over REST, by `servey run`): the parent's
        fields come among its parameters, as the seed's `NumberStats.factorial` with WEB_GET took
        `?value=5`. A name that is both goes to both."""
        inputs = {parameter.name for parameter in self.signature.inputs}
        owner = {name: value for name, value in raw.items() if name in self.owner_fields}
        params = {name: value for name, value in raw.items() if name in inputs or name not in owner}
        return owner, params

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
        source: InvocationSource,
        request_id: str,
        owner: Any = None,
        validated: bool = False,
    ) -> Any:
        """Authorize, validate (unless `validated`, as `validate_json`'s are) and call; returns the
        action's Python result."""
        try:
            if not self._open:
                check_access(self.action.access_control, authorization, f"action {self.action.name!r}")
            if self.signature.has_owner and owner is None:
                owner, raw_params = self._split_owner(raw_params)
            params = dict(raw_params) if validated else self.validate(raw_params)
            if self.signature.authorization is not None:
                params[self.signature.authorization] = authorization
            if self.signature.has_owner:
                owner = self.validate_owner(owner)
        except ServeyError as error:
            self._name_in(error)
            raise
        running = _running_action.set(self.action.name)
        try:
            if self._chain is None:
                return self._direct(**params) if self._direct is not None else self._call(params, owner)
            return self._chain(Invocation(self.action, params, authorization, source, request_id, owner))
        except ServeyError as error:
            self._name_in(error)
            raise
        except Exception as error:
            raise ActionFailed(self.action.name) from error
        finally:
            _running_action.reset(running)

    def invoke_batch(
        self,
        raw_params: Mapping[str, Any],
        owners: list[Any],
        *,
        authorization: Authorization | None,
        source: InvocationSource,
        request_id: str,
    ) -> list[Any]:
        """A batch function's one call for many parents: each parent's result or `ServeyError`, in order.

        A parent that fails validation gets its error and is left out of the call; an error of
        the whole call (access, parameters, the function's own) is every parent's."""
        try:
            if not self._open:
                check_access(self.action.access_control, authorization, f"action {self.action.name!r}")
            params = self.validate(raw_params)
        except ServeyError as error:
            return [error] * len(owners)
        if self.signature.authorization is not None:
            params[self.signature.authorization] = authorization
        outcomes: list[Any] = []
        valid: list[Any] = []
        for owner in owners:
            try:
                valid.append(self.validate_owner(owner))
                outcomes.append(None)
            except ServeyError as error:
                outcomes.append(error)
        if not valid:
            return outcomes
        running = _running_action.set(self.action.name)
        try:
            if self._chain is None:
                results = self._call_batch(params, valid)
            else:
                invocation = Invocation(self.action, params, authorization, source, request_id, valid)
                results = self._chain(invocation)
        except ServeyError as error:
            results = [error] * len(valid)
        except Exception as error:
            failed = ActionFailed(self.action.name)
            failed.__cause__ = error
            results = [failed] * len(valid)
        finally:
            _running_action.reset(running)
        answers = iter(batch_outcomes(self.action.name, results, len(valid)))
        return [next(answers) if outcome is None else outcome for outcome in outcomes]

    def _name_in(self, error: ServeyError) -> None:
        """The error names this action unless it names one already: the log of a refusal names it."""
        if error.action is None:
            error.action = self.action.name

    def _call_function(self, invocation: Invocation) -> Any:
        if self.signature.sources is not None and isinstance(invocation.owner, list):
            return self._call_batch(invocation.params, invocation.owner)
        return self._call(invocation.params, invocation.owner)

    def _call(self, params: dict[str, Any], owner: Any) -> Any:
        fn = self.action.fn
        if self.signature.sources is not None:  # a batch function called for one parent
            (outcome,) = batch_outcomes(self.action.name, self._call_batch(params, [owner]), 1)
            if isinstance(outcome, ServeyError):
                raise outcome
            return outcome
        result = fn(owner, **params) if self.signature.has_owner else fn(**params)
        return run_coroutine(result) if self._is_async else result

    def _call_batch(self, params: dict[str, Any], owners: list[Any]) -> Any:
        result = self.action.fn(owners, **params)
        return run_coroutine(result) if self._is_async else result

    def dump_json(self, result: Any) -> bytes:
        if type(result) is Response:
            result = result.body
        if self._scalar_result is not None and type(result) is self._scalar_result:
            try:
                return _SCALAR_JSON[self._scalar_result](result).encode()
            except UnicodeEncodeError:
                pass  # a lone surrogate: pydantic reports it
        return self.result_adapter.serializer.to_json(result)  # `dump_json` without its Python layer

    def dump(self, result: Any) -> Any:
        """The result as JSON values; a `Response`'s body, its status and headers being REST's alone."""
        if type(result) is Response:
            result = result.body
        if self._scalar_result is not None and type(result) is self._scalar_result:
            return result
        return self.result_adapter.dump_python(result, mode="json")


def invalid_input(action_name: str, error: Any, prefix: tuple[str, ...] = ()) -> InvalidInput:
    """Turn a pydantic ValidationError into our 422, naming the action and each field."""
    fields = [
        {"loc": [*prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    described = "; ".join(".".join(map(str, field["loc"])) + ": " + field["msg"] for field in fields)
    return InvalidInput(f"invalid parameters for action {action_name!r}: {described}", fields)


# The scalar fast path. Pydantic is the reference: an input is coerced here only when the
# value is plain enough that pydantic would give the very same value (a str for a str, a
# digit string for an int, ...). Anything else, errors included, goes to pydantic, so the
# results and the 422s are identical either way, and apps of scalar actions never import it.

ScalarCoercion = Callable[[Any], Any]
_NOT_COERCED = object()
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _as_str(value: Any) -> Any:
    return value if type(value) is str else _NOT_COERCED


def _as_int(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is str and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return _NOT_COERCED


def _as_float(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        return value
    if kind is int and abs(value) < 2**53:
        return float(value)
    return _NOT_COERCED


def _as_bool(value: Any) -> Any:
    if type(value) is bool:
        return value
    if type(value) is str:
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return _NOT_COERCED


_SCALAR_COERCIONS: dict[Any, ScalarCoercion] = {str: _as_str, int: _as_int, float: _as_float, bool: _as_bool}
_SCALAR_RESULTS: dict[Any, type] = {str: str, int: int, bool: bool}
_SCALAR_JSON: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
}

ScalarInput = tuple[str, ScalarCoercion, bool, Any]  # name, coercion, optional, default


def _scalar_inputs(inputs: tuple[InputParameter, ...]) -> tuple[ScalarInput, ...] | None:
    """The inputs as (name, coercion, accepts None, default), or None if one is not scalar."""
    found = []
    for parameter in inputs:
        annotation, optional = unwrap_optional(parameter.annotation)
        coercion = _SCALAR_COERCIONS.get(annotation)
        if coercion is None or parameter.constrained:  # limits are pydantic's to check
            return None
        found.append((parameter.name, coercion, optional, parameter.default))
    return tuple(found)


def _coerce_scalars(inputs: tuple[ScalarInput, ...], raw: Mapping[str, Any]) -> dict[str, Any] | None:
    params = {}
    for name, coercion, optional, default in inputs:
        value = raw.get(name, _NOT_COERCED)
        if value is _NOT_COERCED:
            if default is REQUIRED:
                return None
            params[name] = default
        elif value is None and optional:
            params[name] = None
        else:
            value = coercion(value)
            if value is _NOT_COERCED:
                return None
            params[name] = value
    return params


# Core schema types whose values are one level of nesting in JSON, and those whose values may nest
# without bound or as code of the app's own decides (any JSON, dicts, references that may recurse,
# extra fields kept, validators of the app's own).
_NESTING = frozenset({"model", "dataclass", "typed-dict", "list", "set", "frozenset", "tuple"})
_UNBOUNDED = frozenset({"any", "dict", "json", "definitions", "definition-ref", "generator", "callable"})
_SCHEMA_KEYS_SKIPPED = frozenset({"metadata", "cls", "ref", "config", "serialization"})


def _nesting_depth(schema: Any) -> int | None:
    """How deep a value that validates against a pydantic core schema can nest, or None where it
    may nest without bound."""
    if isinstance(schema, list | tuple):
        depths = [_nesting_depth(item) for item in schema]
        return None if None in depths else max((d for d in depths if d is not None), default=0)
    if not isinstance(schema, dict):
        return 0
    kind = schema.get("type")
    if not isinstance(kind, str) or kind in _UNBOUNDED or kind.startswith("function-"):
        return None if kind is not None else _nesting_depth(list(schema.values()))
    if "allow" in (schema.get("extra_behavior"), schema.get("config", {}).get("extra_fields_behavior")):
        return None
    inner = _nesting_depth([value for key, value in schema.items() if key not in _SCHEMA_KEYS_SKIPPED])
    return None if inner is None else inner + (kind in _NESTING)


def _has_strict(schema: Any) -> bool:
    """Whether a pydantic core schema, or any schema within it, is strict."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("strict") is True:
                return True
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(node)
    return False
