"""Reading type hints: what an optional parameter or field holds when it is not None."""

from __future__ import annotations

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
