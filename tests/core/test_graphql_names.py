"""camelCase GraphQL field names, an app's choice: the SDL, the spec's resolvers, and the renaming
of values between GraphQL's names and Python's."""

from __future__ import annotations

from dataclasses import dataclass

import graphql
import pytest

from servey_cdk import WEB_GET, GraphQLSettings, action
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec, load_spec
from servey_cdk.errors import AppDefinitionError
from servey_cdk.graphql_names import FieldRenamer, camel_case, from_graphql, to_graphql
from servey_cdk.graphql_schema import APPSYNC_SCALARS
from tests.camel_app import Book
from tests.conftest import registry_of


@pytest.fixture(scope="module")
def camel() -> AppSpec:
    return load_spec("tests.camel_app")


def fields_of(spec: AppSpec, type_name: str) -> dict[str, str]:
    assert spec.graphql is not None
    schema = graphql.build_schema("".join(f"scalar {s}\n" for s in APPSYNC_SCALARS) + spec.graphql.sdl)
    named = schema.get_type(type_name)
    assert isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInputObjectType)
    return {name: str(item.type) for name, item in named.fields.items()}


@pytest.mark.parametrize(
    ("python", "graphql_name"),
    [("author_id", "authorId"), ("name", "name"), ("page_total", "pageTotal"), ("_private_x", "_privateX")],
)
def test_GIVEN_a_python_name_THEN_its_camel_case_is_strawberrys(python: str, graphql_name: str) -> None:
    assert camel_case(python) == graphql_name


def test_GIVEN_camel_case_THEN_fields_nested_fields_and_input_fields_are_camel_case(camel: AppSpec) -> None:
    assert fields_of(camel, "Book") == {
        "bookTitle": "String!",
        "authorId": "Int!",
        "chapters": "[Chapter!]!",
        "pageTotal": "Int!",
        "authorName": "String!",
    }
    assert set(fields_of(camel, "NewBookInput")) == {"bookTitle", "authorId"}


def test_GIVEN_camel_case_THEN_root_fields_and_their_arguments_are_camel_case(camel: AppSpec) -> None:
    assert camel.graphql is not None
    assert "  findBooks(authorId: Int!, titlePrefix: String): [Book!]!\n" in camel.graphql.sdl
    assert "  addBook(newBook: NewBookInput!, firstChapter: String): Book!\n" in camel.graphql.sdl
    assert "enum" not in camel.graphql.sdl


def test_GIVEN_camel_case_THEN_resolvers_are_keyed_by_graphql_names_and_name_their_actions(
    camel: AppSpec,
) -> None:
    assert camel.graphql is not None
    assert camel.graphql.field_names == "camelCase"
    keyed = {(r.type_name, r.field_name): r.action for r in camel.graphql.resolvers}
    assert keyed == {
        ("Query", "findBooks"): "find_books",
        ("Mutation", "addBook"): "add_book",
        ("Book", "pageTotal"): "page_total",
        ("Book", "authorName"): "author_name",
    }


def test_GIVEN_no_settings_THEN_fields_keep_their_python_names(sample_spec: AppSpec) -> None:
    assert sample_spec.graphql is not None
    assert sample_spec.graphql.field_names == "snake_case"
    assert "say_hello(name: String!)" in sample_spec.graphql.sdl


def test_GIVEN_a_record_WHEN_renamed_out_and_back_THEN_json_fields_keep_their_keys() -> None:
    plan = FieldRenamer("camelCase").plan(list[Book])
    python = [
        {"book_title": "x", "author_id": 1, "chapters": [{"chapter_title": "c", "word_counts": {"a_b": 1}}]}
    ]
    graphql_value = to_graphql(python, plan)
    assert graphql_value == [
        {"bookTitle": "x", "authorId": 1, "chapters": [{"chapterTitle": "c", "wordCounts": {"a_b": 1}}]}
    ]
    assert from_graphql(graphql_value, plan) == python


@dataclass
class Clashing:
    item_id: int
    itemId: int  # noqa: N815  (the clash under test)


@action(triggers=WEB_GET)
def clashing() -> Clashing:
    return Clashing(1, 2)


def test_GIVEN_two_fields_of_one_camel_case_name_THEN_the_build_names_the_type_and_the_name() -> None:
    registry = registry_of(clashing, graphql_settings=(GraphQLSettings(field_names="camelCase"),))
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(registry)
    assert "Clashing: two fields are named 'itemId' in GraphQL" in raised.value.problems


def test_GIVEN_settings_declared_twice_THEN_the_build_says_declare_it_once() -> None:
    twice = (GraphQLSettings(field_names="camelCase"), GraphQLSettings())
    with pytest.raises(AppDefinitionError, match="declares GraphQLSettings 2 times"):
        build_spec(registry_of(clashing, graphql_settings=twice))


def test_GIVEN_an_unknown_naming_THEN_the_settings_refuse_it() -> None:
    with pytest.raises(ValueError, match="snake_case, camelCase, not 'kebab'"):
        GraphQLSettings(field_names="kebab")  # type: ignore[arg-type]
