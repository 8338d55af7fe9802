"""What an action takes and returns, read from its signature and type hints."""

from __future__ import annotations

import inspect
import typing
from functools import cache
from typing import Any, NamedTuple

from servey_cdk.action import Action
from servey_cdk.annotations import unwrap_optional
from servey_cdk.authorization import Authorization
from servey_cdk.batch import batch_item_type
from servey_cdk.responses import result_type

REQUIRED = inspect.Parameter.empty


# Named tuples: these classes are made on every cold start, and a named tuple's class is made in a
# fraction of a frozen dataclass's time.
class InputParameter(NamedTuple):
    """`annotation` is the type, which routing and schemas go by; `validated_type` is the hint as
    written, with any `Annotated` limits (pydantic's `Field(le=...)`) that validation adds to it."""

    name: str
    annotation: Any
    validated_type: Any
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def constrained(self) -> bool:
        return bool(self.validated_type != self.annotation)


class ActionSignature(NamedTuple):
    """`inputs` come from the caller; `authorization` names the injected parameter;
    `has_owner` is true for a method of a returned type (a nested action). A batch function's
    `sources` names its parameter of the parents, and `returns` is the type of one parent's result."""

    inputs: tuple[InputParameter, ...]
    returns: Any
    authorization: str | None = None
    has_owner: bool = False
    sources: str | None = None


def is_authorization_type(annotation: Any) -> bool:
    return unwrap_optional(annotation)[0] is Authorization


@cache
def signature_of(action: Action) -> ActionSignature:
    fn = action.fn
    try:
        hints = typing.get_type_hints(fn)
        written = typing.get_type_hints(fn, include_extras=True)
    except NameError as error:
        raise TypeError(f"action {action.name!r}: cannot resolve a type hint ({error})") from error
    parameters = list(inspect.signature(fn).parameters.values())
    has_owner = bool(parameters) and (action.batch or parameters[0].name == "self")
    sources = parameters[0].name if has_owner and action.batch else None
    if has_owner:
        parameters = parameters[1:]
    inputs: list[InputParameter] = []
    authorization: str | None = None
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"action {action.name!r}: *{parameter.name} parameters are not supported")
        annotation = hints.get(parameter.name, Any)
        if is_authorization_type(annotation):
            authorization = parameter.name
        else:
            written_type = written.get(parameter.name, Any)
            inputs.append(InputParameter(parameter.name, annotation, written_type, parameter.default))
    returns = result_type(hints.get("return", Any))
    if action.batch:  # a declaration that is no list is `batch_problems`' to report
        returns = batch_item_type(returns) or returns
    return ActionSignature(
        inputs=tuple(inputs),
        returns=returns,
        authorization=authorization,
        has_owner=has_owner,
        sources=sources,
    )
