"""Frozen dataclasses back from their JSON form (`dataclasses.asdict`), by their type hints.

Only what the specs use is understood: nested dataclasses, `tuple[X, ...]`, `X | None`,
and plain JSON values (`dict[str, Any]`, `str`, `int`, `bool`, `Any`).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any, TypeVar, get_args, get_origin

from servey_cdk.annotations import unwrap_optional

Record = TypeVar("Record")


def from_jsonable(cls: type[Record], value: Any) -> Record:
    """An instance of dataclass `cls` made from `value`; a `ValueError` names the field at fault."""
    return _decode(cls, value, cls.__name__)  # type: ignore[no-any-return]


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(hint: Any, value: Any, where: str) -> Any:
    inner, optional = unwrap_optional(hint)
    if optional:
        return None if value is None else _decode(inner, value, where)
    origin = get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
        inner = get_args(hint)[0]
        return tuple(_decode(inner, item, f"{where}[{index}]") for index, item in enumerate(value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
        hints = _hints(hint)
        known = {item.name for item in dataclasses.fields(hint)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        arguments = {name: _decode(hints[name], item, f"{where}.{name}") for name, item in value.items()}
        try:
            return hint(**arguments)
        except TypeError as error:
            raise ValueError(f"{where}: {error}") from None
    return value
