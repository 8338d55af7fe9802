"""Forward references written with their module's name, `ForwardRef(f"{__name__}.Node")`, resolved.

Neither `typing.get_type_hints` nor pydantic can evaluate `app.models.Node` inside
`app.models` itself, where no name `app` is bound. The seed's marshalling resolved such
references against the loaded modules; discovery does the same, once, for the app's
dataclasses that have them, so pydantic, the schemas and GraphQL all see real types.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from typing import Any


class _LoadedModules(dict[str, Any]):
    """Names looked up in an annotation that no scope binds: a loaded top-level module, or not found."""

    def __missing__(self, name: str) -> Any:
        if name in sys.modules:
            return sys.modules[name]
        raise KeyError(name)


def resolve_qualified_refs(cls: type) -> None:
    """Put the resolved types in place of a dataclass's annotations that name `ForwardRef(...)`."""
    own = inspect.get_annotations(cls)  # the class's own, not its bases'
    pending = [name for name, annotation in own.items() if "ForwardRef(" in str(annotation)]
    if not pending:
        return
    hints = typing.get_type_hints(cls, localns=_LoadedModules())
    fields = {field.name: field for field in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    for name in pending:
        cls.__annotations__[name] = hints[name]
        if name in fields:
            fields[name].type = hints[name]
