"""The AppSync GraphQL schema: parses with graphql-core, and maps Python types as AppSync expects."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any
from uuid import UUID

import graphql
import pytest

from servey_cdk import WEB_GET, WEB_POST, action
from servey_cdk.appspec import AppSpec
from servey_cdk.graphql_schema import APPSYNC_SCALARS, build_graphql_schema
from tests.conftest import registry_of

APPSYNC_DECLARATIONS = "".join(f"scalar {name}\n" for name in APPSYNC_SCALARS)


def parse(sdl: str) -> graphql.GraphQLSchema:
    return graphql.build_schema(APPSYNC_DECLARATIONS + sdl)


@pytest.fixture(scope="module")
def schema(sample_spec: AppSpec) -> graphql.GraphQLSchema:
    assert sample_spec.graphql is not None
    return parse(sample_spec.graphql.sdl)


def type_of(schema: graphql.GraphQLSchema, type_name: str, field_name: str) -> str:
    named = schema.get_type(type_name)
    assert isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInputObjectType)
    return str(named.fields[field_name].type)


def test_GIVEN_the_sample_app_THEN_the_sdl_parses_once_appsync_scalars_are_declared(
    schema: graphql.GraphQLSchema,
) -> None:
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert graphql.validate_schema(schema) == []


def test_GIVEN_the_sdl_THEN_appsync_scalars_are_not_declared_in_it(sample_spec: AppSpec) -> None:
    assert sample_spec.graphql is not None
    assert "scalar " not in sample_spec.graphql.sdl  # AppSync declares them itself and refuses duplicates


def test_GIVEN_get_and_post_actions_THEN_they_are_query_and_mutation_fields(
    schema: graphql.GraphQLSchema,
) -> None:
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert "say_hello" in schema.query_type.fields
    assert "create_item" in schema.mutation_type.fields
    assert "create_item" not in schema.query_type.fields


def test_GIVEN_parameters_THEN_they_are_typed_arguments_nullable_when_optional(
    schema: graphql.GraphQLSchema,
) -> None:
    assert schema.query_type is not None
    list_items = schema.query_type.fields["list_items"]
    assert str(list_items.args["tag"].type) == "String"
    assert str(list_items.args["limit"].type) == "Int"
    assert str(schema.query_type.fields["say_hello"].args["name"].type) == "String!"


def test_GIVEN_a_model_argument_THEN_it_is_an_input_type_named_type_input(
    schema: graphql.GraphQLSchema,
) -> None:
    assert schema.mutation_type is not None
    assert str(schema.mutation_type.fields["create_item"].args["item"].type) == "NewItemInput!"
    assert isinstance(schema.get_type("NewItemInput"), graphql.GraphQLInputObjectType)
    assert type_of(schema, "NewItemInput", "tags") == "[String!]"  # has a default: optional


def test_GIVEN_an_enum_THEN_it_is_a_graphql_enum(schema: graphql.GraphQLSchema) -> None:
    status = schema.get_type("Status")
    assert isinstance(status, graphql.GraphQLEnumType)
    assert set(status.values) == {"draft", "published"}
    assert type_of(schema, "Item", "status") == "Status!"


def test_GIVEN_a_list_result_THEN_it_is_a_graphql_list(schema: graphql.GraphQLSchema) -> None:
    assert type_of(schema, "Query", "list_items") == "[Item!]!"
    assert type_of(schema, "Item", "tags") == "[String!]!"


def test_GIVEN_a_nested_action_THEN_it_is_a_field_of_its_owner_type(schema: graphql.GraphQLSchema) -> None:
    assert type_of(schema, "Query", "number_stats") == "NumberStats!"
    assert type_of(schema, "NumberStats", "factorial") == "Int!"
    assert type_of(schema, "NumberStats", "value") == "Int!"


def test_GIVEN_a_docstring_THEN_it_is_the_field_description(schema: graphql.GraphQLSchema) -> None:
    assert schema.query_type is not None
    assert schema.query_type.fields["say_hello"].description == "Greet a user!"


@dataclasses.dataclass
class Record:
    when: datetime
    day: date
    data: dict[str, Any]
    id: UUID
    maybe: int | None


@action(triggers=WEB_GET)
def record(data: dict[str, int]) -> Record:
    raise NotImplementedError


@pytest.mark.parametrize(
    ("field", "expected"),
    [("when", "AWSDateTime!"), ("day", "AWSDate!"), ("data", "AWSJSON!"), ("id", "ID!"), ("maybe", "Int")],
)
def test_GIVEN_python_types_THEN_they_map_to_appsync_scalars(field: str, expected: str) -> None:
    built, problems = build_graphql_schema(registry_of(record))

    assert problems == []
    assert built is not None
    assert type_of(parse(built.sdl), "Record", field) == expected


def test_GIVEN_a_dict_argument_THEN_it_is_awsjson() -> None:
    built, _ = build_graphql_schema(registry_of(record))

    assert built is not None
    query = parse(built.sdl).query_type
    assert query is not None
    assert str(query.fields["record"].args["data"].type) == "AWSJSON!"


def test_GIVEN_an_action_that_returns_nothing_THEN_its_field_is_a_nullable_boolean() -> None:
    @action(triggers=WEB_POST)
    def forget(key: str) -> None: ...

    built, problems = build_graphql_schema(registry_of(record, forget))

    assert problems == []
    assert built is not None
    assert type_of(parse(built.sdl), "Mutation", "forget") == "Boolean"


def test_GIVEN_two_types_of_one_name_THEN_the_problem_names_both() -> None:
    @dataclasses.dataclass
    class Record:  # shadows the module's Record on purpose
        other: str

    @action(triggers=WEB_GET)
    def clash() -> Record:
        raise NotImplementedError

    clash.__annotations__["return"] = Record
    _, problems = build_graphql_schema(registry_of(record, clash))

    assert any("GraphQL type name 'Record' is used by both" in problem for problem in problems)


def test_GIVEN_no_web_action_THEN_there_is_no_schema() -> None:
    @action
    def internal() -> int:
        return 1

    assert build_graphql_schema(registry_of(internal)) == (None, [])
