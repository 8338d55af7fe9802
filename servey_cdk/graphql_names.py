"""GraphQL field names: the Python names as they are (snake_case, the default) or in camelCase.

An app chooses camelCase by declaring `GraphQLSettings(field_names="camelCase")` in its
module (`servey_cdk.graphql_settings`). The SDL then names fields, arguments and input
fields in camelCase, and the values crossing AppSync are renamed on the way: arguments
and parent objects to the Python names before validation, results to the GraphQL names
after serialization. Renaming follows the Python types exactly as the SDL does: record
types field by field, lists item by item; what the SDL makes `AWSJSON` (dicts, unions,
tuples) is left as it is, keys and all.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from servey_cdk.annotations import is_union, record_fields, unwrap_optional
from servey_cdk.discovery import is_record_type

_LISTS = (list, set, frozenset, Sequence)


def camel_case(name: str) -> str:
    """`author_id` → `authorId`, as Strawberry converts; leading and doubled underscores are kept."""
    stripped = name.lstrip("_")
    head, *rest = stripped.split("_")
    tail = "".join(part[:1].upper() + part[1:] if part else "_" for part in rest)
    return name[: len(name) - len(stripped)] + head + tail


def graphql_name(name: str, naming: str) -> str:
    return camel_case(name) if naming == "camelCase" else name


@dataclass
class _Record:
    """A record's fields: outward (Python name → GraphQL name) and inward, each with its value's plan."""

    outward: dict[str, tuple[str, _Plan]] = field(default_factory=dict)
    inward: dict[str, tuple[str, _Plan]] = field(default_factory=dict)


@dataclass(frozen=True)
class _List:
    item: _Plan


_Plan = _Record | _List | None


@dataclass(frozen=True)
class ActionFieldNames:
    """How the values of one action's GraphQL field are renamed: its arguments and parent on the way
    in, its result on the way out."""

    arguments: _Plan = None
    owner: _Plan = None
    result: _Plan = None

    def arguments_in(self, raw: Mapping[str, Any]) -> Any:
        return from_graphql(raw, self.arguments)

    def owner_in(self, raw: Any) -> Any:
        return from_graphql(raw, self.owner)

    def result_out(self, data: Any) -> Any:
        return to_graphql(data, self.result)


PYTHON_NAMES = ActionFieldNames()  # snake_case: every value as it is


class FieldRenamer:
    """Renames the values of one app's GraphQL fields between Python and GraphQL names."""

    def __init__(self, naming: str) -> None:
        self.naming = naming
        self._records: dict[Any, _Record] = {}

    def of_action(
        self, parameters: Sequence[tuple[str, Any]], owner_type: type | None, returns: Any
    ) -> ActionFieldNames:
        """An action's renaming, from its parameters (name, type), its parent type and its result type."""
        owner = None if owner_type is None else self.plan(owner_type)
        return ActionFieldNames(self.parameters(parameters), owner, self.plan(returns))

    def plan(self, annotation: Any) -> _Plan:
        """How to rename a value of this type; None when nothing in it is renamed."""
        inner, _ = unwrap_optional(annotation)
        origin = typing.get_origin(inner)
        args = typing.get_args(inner)
        if origin in _LISTS or (origin is tuple and args[1:] == (...,)):
            item = self.plan(args[0]) if args else None
            return None if item is None else _List(item)
        if is_union(inner) or not isinstance(inner, type) or issubclass(inner, enum.Enum):
            return None
        if not is_record_type(inner):
            return None
        found = self._records.get(inner)
        if found is None:
            found = self._records[inner] = _Record()  # before its fields: a type may hold itself
            self._fill(found, [(name, hint) for name, hint, _ in record_fields(inner)])
        return found

    def parameters(self, parameters: Sequence[tuple[str, Any]]) -> _Record:
        """The plan of a field's arguments: the action's parameters by name and type."""
        record = _Record()
        self._fill(record, parameters)
        return record

    def _fill(self, record: _Record, fields: Sequence[tuple[str, Any]]) -> None:
        for name, hint in fields:
            outer = graphql_name(name, self.naming)
            plan = self.plan(hint)
            record.outward[name] = (outer, plan)
            record.inward[outer] = (name, plan)


def to_graphql(value: Any, plan: _Plan) -> Any:
    """A JSON value of Python names, with GraphQL's."""
    return _rename(value, plan, outward=True)


def from_graphql(value: Any, plan: _Plan) -> Any:
    """A JSON value of GraphQL names, with Python's."""
    return _rename(value, plan, outward=False)


def _rename(value: Any, plan: _Plan, outward: bool) -> Any:
    if plan is None or value is None:
        return value
    if isinstance(plan, _List):
        return [_rename(item, plan.item, outward) for item in value] if isinstance(value, list) else value
    if not isinstance(value, Mapping):
        return value
    table = plan.outward if outward else plan.inward
    renamed = {}
    for key, item in value.items():
        found = table.get(key)
        if found is None:
            renamed[key] = item  # not a field of the type: validation reports it by this name
        else:
            renamed[found[0]] = _rename(item, found[1], outward)
    return renamed
