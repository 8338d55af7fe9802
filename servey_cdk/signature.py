"""What an action takes and returns, read from its signature and type hints."""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from servey_cdk.action import Action
from servey_cdk.annotations import unwrap_optional
from servey_cdk.authorization import Authorization
from servey_cdk.responses import result_type

REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class InputParameter:
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


@dataclass(frozen=True)
class ActionSignature:
    """`inputs` come from the caller; `authorization` names the injected parameter;
    `has_owner` is true for a method of a returned type (a nested action)."""

    inputs: tuple[InputParameter, ...]
    returns: Any
    authorization: str | None = None
    has_owner: bool = False


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
    has_owner = bool(parameters) and parameters[0].name == "self"
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
    return ActionSignature(
        inputs=tuple(inputs),
        returns=result_type(hints.get("return", Any)),
        authorization=authorization,
        has_owner=has_owner,
    )
