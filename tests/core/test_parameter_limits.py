"""Limits written in a signature (`Annotated[int, Field(le=...)]`): validated, and stated by every schema."""

from __future__ import annotations

from typing import Annotated

import graphql
import pytest
from pydantic import Field

from servey_cdk import WEB_GET, InvalidInput, action
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.graphql_schema import APPSYNC_SCALARS
from tests.conftest import registry_of

Small = Annotated[int, Field(ge=0, le=10)]


@action(triggers=WEB_GET)
def square(value: Small) -> int:
    return value * value


@action(triggers=WEB_GET)
def shout(text: Annotated[str, Field(max_length=5)] | None = None, times: int = 1) -> str:
    return (text or "").upper() * times


@pytest.fixture(scope="module")
def spec() -> AppSpec:
    return build_spec(registry_of(square, shout))


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("square", {"value": 11}, "value"),
        ("square", {"value": -1}, "value"),
        ("shout", {"text": "hello!"}, "text"),
    ],
)
def test_GIVEN_a_limit_WHEN_a_value_passes_it_THEN_422_names_the_parameter(
    name: str, params: dict[str, object], field: str
) -> None:
    registry = registry_of(square, shout)
    with pytest.raises(InvalidInput) as raised:
        registry.runner(name).invoke(params, authorization=None, source="test", request_id="r")
    assert [error["loc"] for error in raised.value.detail] == [[field]]


def test_GIVEN_a_limit_WHEN_a_value_keeps_to_it_THEN_the_action_runs() -> None:
    registry = registry_of(square, shout)
    assert (
        registry.runner("square").invoke({"value": "10"}, authorization=None, source="t", request_id="r")
        == 100
    )


def test_GIVEN_a_limit_THEN_the_json_schema_states_it(spec: AppSpec) -> None:
    value = spec.action("square").params_schema["properties"]["value"]
    assert (value["type"], value["minimum"], value["maximum"]) == ("integer", 0, 10)


def test_GIVEN_a_limit_THEN_the_graphql_argument_describes_it_and_keeps_its_type(spec: AppSpec) -> None:
    assert spec.graphql is not None
    schema = graphql.build_schema("".join(f"scalar {name}\n" for name in APPSYNC_SCALARS) + spec.graphql.sdl)
    assert schema.query_type is not None
    value = schema.query_type.fields["square"].args["value"]
    times = schema.query_type.fields["shout"].args["times"]

    assert (str(value.type), value.description) == ("Int!", "minimum: 0, maximum: 10")
    assert (str(times.type), times.description) == ("Int", None)
