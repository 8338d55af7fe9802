"""The AppSync GraphQL schema of an app, built by walking the actions' Python types.

GET actions become `Query` fields, every other web action a `Mutation` field, and
nested actions fields of their owner's type. Records (dataclasses, pydantic models,
TypedDicts) become object types, and `<Name>Input` types where they are arguments.
Types GraphQL cannot express are reported by name, all at once.
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from servey_cdk.action import Action
from servey_cdk.annotations import is_union, record_fields, unwrap_optional
from servey_cdk.discovery import Registry, is_record_type
from servey_cdk.graphql_names import graphql_name
from servey_cdk.graphql_settings import FieldNaming
from servey_cdk.signature import InputParameter, signature_of
from servey_cdk.triggers import WebTrigger

APPSYNC_SCALARS = (
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
)
_SCALARS: dict[Any, str] = {
    str: "String",
    int: "Int",
    float: "Float",
    bool: "Boolean",
    datetime: "AWSDateTime",
    date: "AWSDate",
    time: "AWSTime",
    UUID: "ID",
    Decimal: "String",
    bytes: "String",
}
_JSON_TYPES = (dict, Mapping, Any, object)
_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


@dataclass(frozen=True)
class Resolver:
    """A field answered by an action's function."""

    type_name: str
    field_name: str
    action: str
    batch_size: int | None = None


@dataclass
class _Field:
    name: str
    type_ref: str
    description: str | None = None
    arguments: list[_Field] = field(default_factory=list)


@dataclass
class _SchemaBuilder:
    owners: dict[str, type]
    naming: str = "snake_case"
    problems: list[str] = field(default_factory=list)
    objects: dict[str, list[_Field]] = field(default_factory=dict)
    inputs: dict[str, list[_Field]] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, Any] = field(default_factory=dict)
    nested: dict[type, list[Action]] = field(default_factory=dict)
    resolvers: list[Resolver] = field(default_factory=list)

    def claim(self, name: str, cls: Any, where: str) -> bool:
        """Register a type name; two different Python types may not share one."""
        existing = self.names.setdefault(name, cls)
        if existing is not cls:
            self.problems.append(
                f"{where}: GraphQL type name {name!r} is used by both {_qualified(existing)} "
                f"and {_qualified(cls)}"
            )
            return False
        return True

    def type_ref(self, annotation: Any, where: str, is_input: bool) -> str:
        if annotation is type(None):
            return "Boolean"  # an action that returns nothing: a field that is always null
        inner, optional = unwrap_optional(annotation)
        ref = self._named_or_list(inner, where, is_input)
        return ref if optional else ref + "!"

    def _named_or_list(self, annotation: Any, where: str, is_input: bool) -> str:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if annotation in _SCALARS:
            return _SCALARS[annotation]
        if annotation in _JSON_TYPES or origin in (dict, Mapping):
            return "AWSJSON"
        if origin is Literal:
            return "String"
        if origin in (list, set, frozenset, Sequence) or (origin is tuple and args[1:] == (...,)):
            item = args[0] if args else Any
            return f"[{self.type_ref(item, where, is_input)}]"
        if origin is tuple or is_union(annotation):
            return "AWSJSON"
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self._enum(annotation, where)
        if isinstance(annotation, type) and is_record_type(annotation):
            return self._input(annotation, where) if is_input else self._object(annotation, where)
        self.problems.append(f"{where}: GraphQL cannot express the type {annotation!r}")
        return "AWSJSON"

    def _enum(self, cls: type[enum.Enum], where: str) -> str:
        if self.claim(cls.__name__, cls, where) and cls.__name__ not in self.enums:
            values = [str(member.value) for member in cls]
            bad = [value for value in values if not _GRAPHQL_NAME.match(value)]
            if bad:
                self.problems.append(f"{where}: enum {cls.__name__} has values GraphQL cannot name: {bad}")
            self.enums[cls.__name__] = values
        return cls.__name__

    def _object(self, cls: type, where: str) -> str:
        name = cls.__name__
        if not self.claim(name, cls, where) or name in self.objects:
            return name
        self.objects[name] = fields = []
        for field_name, annotation, _ in record_fields(cls):
            ref = self.type_ref(annotation, f"{name}.{field_name}", False)
            fields.append(_Field(graphql_name(field_name, self.naming), ref))
        for nested in self.nested.get(cls, []):
            fields.append(self.action_field(nested, name))
        return name

    def _input(self, cls: type, where: str) -> str:
        name = f"{cls.__name__}Input"
        if not self.claim(name, cls, where) or name in self.inputs:
            return name
        self.inputs[name] = fields = []
        for field_name, annotation, required in record_fields(cls):
            ref = self.type_ref(annotation, f"{name}.{field_name}", True)
            ref = ref if required else ref.removesuffix("!")
            fields.append(_Field(graphql_name(field_name, self.naming), ref))
        return name

    def action_field(self, action: Action, type_name: str) -> _Field:
        signature = signature_of(action)
        where = f"action {action.name!r}"
        arguments = []
        for parameter in signature.inputs:
            ref = self.type_ref(parameter.annotation, f"{where} parameter {parameter.name!r}", True)
            ref = ref if parameter.required else ref.removesuffix("!")
            arguments.append(_Field(graphql_name(parameter.name, self.naming), ref, _limits(parameter)))
        field_name = graphql_name(action.name, self.naming)
        self.resolvers.append(Resolver(type_name, field_name, action.name, action.batch_size))
        return _Field(
            field_name,
            self.type_ref(signature.returns, f"{where} result", False),
            action.description,
            arguments,
        )


@dataclass(frozen=True)
class GraphQLSchema:
    sdl: str
    resolvers: tuple[Resolver, ...]
    field_names: FieldNaming = "snake_case"


def build_graphql_schema(registry: Registry) -> tuple[GraphQLSchema | None, list[str]]:
    """The SDL and resolvers of the app (None when no action is on the web), and problems."""
    settings = registry.graphql_settings
    naming = settings[0].field_names if settings else "snake_case"
    builder = _SchemaBuilder(owners=registry.owners, naming=naming)
    if len(settings) > 1:
        builder.problems.append(f"the app declares GraphQLSettings {len(settings)} times: declare it once")
    for action in registry.actions:
        owner = registry.owners.get(action.name)
        if owner is not None:
            builder.nested.setdefault(owner, []).append(action)
    roots: dict[str, list[_Field]] = {"Query": [], "Mutation": []}
    for action in registry.actions:
        web = action.triggers_of(WebTrigger)
        if web and action.name not in registry.owners:
            root = "Query" if web[0].method == "GET" else "Mutation"
            roots[root].append(builder.action_field(action, root))
    if not roots["Query"] and not roots["Mutation"]:
        return None, builder.problems
    if not roots["Query"]:
        builder.problems.append("GraphQL needs at least one query: give some action a WEB_GET trigger")
    builder.problems += _clashes(builder, roots)
    sdl = _print(builder, roots)
    return GraphQLSchema(sdl, tuple(builder.resolvers), naming), builder.problems


def _clashes(builder: _SchemaBuilder, roots: dict[str, list[_Field]]) -> list[str]:
    """Two fields (or two arguments) of one type that come to one GraphQL name."""
    problems = []
    types = {**roots, **builder.objects, **builder.inputs}
    for type_name, fields in types.items():
        named = [(f"{type_name}.{item.name}", item.arguments) for item in fields]
        groups = [(type_name, [item.name for item in fields])]
        groups += [(where, [argument.name for argument in arguments]) for where, arguments in named]
        for where, names in groups:
            twice = sorted({name for name in names if names.count(name) > 1})
            problems += [f"{where}: two fields are named {name!r} in GraphQL" for name in twice]
    return problems


def _print(builder: _SchemaBuilder, roots: dict[str, list[_Field]]) -> str:
    blocks = []
    operations = [f"  {kind.lower()}: {kind}" for kind in ("Query", "Mutation") if roots[kind]]
    blocks.append("schema {\n" + "\n".join(operations) + "\n}")
    for kind in ("Query", "Mutation"):
        if roots[kind]:
            blocks.append(_print_type("type", kind, roots[kind]))
    for name in sorted(builder.objects):
        blocks.append(_print_type("type", name, builder.objects[name]))
    for name in sorted(builder.inputs):
        blocks.append(_print_type("input", name, builder.inputs[name]))
    for name in sorted(builder.enums):
        blocks.append(f"enum {name} {{\n" + "".join(f"  {v}\n" for v in builder.enums[name]) + "}")
    return "\n\n".join(blocks) + "\n"


def _print_type(keyword: str, name: str, fields: list[_Field]) -> str:
    lines = [f"{keyword} {name} {{"]
    for item in fields:
        if item.description:
            lines.append(_description(item.description, "  "))
        lines.append(f"  {item.name}{_print_arguments(item.arguments)}: {item.type_ref}")
    return "\n".join(lines) + "\n}"


def _print_arguments(arguments: list[_Field]) -> str:
    """`(a: Int!, b: String)`, or one argument a line when some carry a description."""
    if not arguments:
        return ""
    if not any(argument.description for argument in arguments):
        return "(" + ", ".join(f"{argument.name}: {argument.type_ref}" for argument in arguments) + ")"
    lines = []
    for argument in arguments:
        if argument.description:
            lines.append(_description(argument.description, "    "))
        lines.append(f"    {argument.name}: {argument.type_ref}")
    return "(\n" + "\n".join(lines) + "\n  )"


def _description(text: str, indent: str) -> str:
    body = text.replace('"""', '\\"""').replace("\n", "\n" + indent)
    return f'{indent}"""\n{indent}{body}\n{indent}"""'


# The JSON schema keywords of a value's limits, which GraphQL's types cannot state.
_LIMITS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
)


def _limits(parameter: InputParameter) -> str | None:
    """A constrained parameter's limits, as pydantic states them in JSON schema, for its description."""
    if not parameter.constrained:
        return None
    from pydantic import TypeAdapter

    schema = TypeAdapter(parameter.validated_type).json_schema()
    limits = [f"{keyword}: {schema[keyword]}" for keyword in _LIMITS if keyword in schema]
    return ", ".join(limits) or None


def _qualified(cls: Any) -> str:
    return f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', cls)}"
