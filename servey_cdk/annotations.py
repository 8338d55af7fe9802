"""Reading type hints: what an optional parameter or field holds when it is not None, and the
fields of a record type."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Union


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """`X | None` → (X, True); `X | Y | None` → (X | Y, True); anything else → (it, False)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = typing.get_args(annotation)
        members = [arg for arg in args if arg is not type(None)]
        if len(members) < len(args):
            return (members[0] if len(members) == 1 else Union[tuple(members)]), True  # noqa: UP007
    return annotation, False


def is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (Union, types.UnionType)


def record_fields(cls: type) -> list[tuple[str, Any, bool]]:
    """(name, type, required) of each field of a dataclass, pydantic model or TypedDict."""
    hints = typing.get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        return [(item.name, hints.get(item.name, Any), _no_default(item)) for item in dataclasses.fields(cls)]
    model_fields = getattr(cls, "model_fields", None)
    if model_fields is not None:
        return [
            (name, hints.get(name, info.annotation), info.is_required())
            for name, info in model_fields.items()
        ]
    required_keys = getattr(cls, "__required_keys__", frozenset(hints))
    return [(name, hint, name in required_keys) for name, hint in hints.items()]


def _no_default(item: dataclasses.Field[Any]) -> bool:
    return item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
