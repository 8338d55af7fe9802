"""JSON schemas of actions' parameters and results and of subscription events.

Pydantic writes the schemas; this module only asks for all of them in one pass, so
that a type used by several actions is one shared component.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from servey_cdk.discovery import Registry

REF_TEMPLATE = "#/components/schemas/{model}"
# Lookaheads on a decimal's text: an exponent Python's Decimal can hold (of 17 digits at most, leading
# zeros aside, it always is), and a numeral not below zero (a minus sign before a digit other than 0).
EXPONENT_THAT_FITS = "(?![^eE]*[eE][+-]?0*[0-9]{18})"
NOT_BELOW_ZERO = "(?!-[^eE]*[1-9])"


@dataclass
class SchemaSet:
    actions: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, Any] = field(default_factory=dict)
    registry: Registry | None = None

    def example_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """An example's parameters as JSON would carry them."""
        from pydantic_core import to_jsonable_python

        return dict(to_jsonable_python(params))

    def example_result(self, action_name: str, result: Any) -> Any:
        """An example's result as JSON would carry it (datetimes as text, and so on)."""
        if self.registry is None:
            return result
        from pydantic import ValidationError

        from servey_cdk.matchers import expected_json

        adapter = self.registry.runner(action_name).result_adapter
        try:
            return expected_json(result, adapter, markers=True)
        except (ValidationError, TypeError, ValueError):
            return result


def build_schemas(registry: Registry, problems: list[str]) -> SchemaSet:
    from pydantic import TypeAdapter
    from pydantic.errors import PydanticUserError
    from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode
    from pydantic_core.core_schema import DecimalSchema

    class DecimalPatterns(GenerateJsonSchema):
        """A decimal's text is held to the numerals validation takes, so that `""` or `"-1"` for a
        decimal that may not be negative is not documented as valid."""

        def get_decimal_pattern(self, schema: DecimalSchema) -> str:
            pattern = self.build_decimal_pattern(schema)
            if self.mode != "validation":
                return pattern  # the text pydantic writes
            lower = schema.get("ge", schema.get("gt"))
            sign = NOT_BELOW_ZERO if lower is not None and lower >= 0 else ""
            return "^" + EXPONENT_THAT_FITS + sign + pattern.removeprefix("^")

    inputs: list[tuple[tuple[str, str], JsonSchemaMode, TypeAdapter[Any]]] = []
    for action in registry.actions:
        runner = registry.runner(action.name)
        try:
            inputs.append((("params", action.name), "validation", TypeAdapter(runner.caller_params_model)))
            inputs.append((("result", action.name), "serialization", runner.result_adapter))
        except (PydanticUserError, TypeError) as error:
            problems.append(f"action {action.name!r}: no JSON schema for its types ({error})")
    for item in registry.subscriptions:
        try:
            inputs.append((("event", item.name), "serialization", item.adapter))
        except (PydanticUserError, TypeError) as error:
            problems.append(f"subscription {item.name!r}: no JSON schema for its event type ({error})")
    try:
        by_key, definitions = TypeAdapter.json_schemas(
            inputs, ref_template=REF_TEMPLATE, schema_generator=DecimalPatterns
        )
    except (PydanticUserError, TypeError) as error:
        problems.append(f"the app's types have no JSON schema: {error}")
        return SchemaSet(registry=registry)
    components: dict[str, Any] = dict(definitions.get("$defs", {}))
    schemas = SchemaSet(components=components, registry=registry)
    for (kind, name), _mode in by_key:
        schema = by_key[((kind, name), _mode)]
        if kind == "params":
            schema = _inline(schema, components)
            schema.pop("title", None)
            schemas.actions[name] = (schema, {})
        elif kind == "result":
            schemas.actions[name] = (schemas.actions[name][0], schema)
        else:
            schemas.events[name] = schema
    return schemas


def _inline(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Replace a top-level $ref to a generated parameters model by the model itself."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return dict(schema)
    name = ref.rsplit("/", 1)[-1]
    return dict(components.pop(name))
