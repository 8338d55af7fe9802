"""Batch functions: their GraphQL field, the AppSpec's entry, and what the build refuses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from servey_cdk import WEB_GET, action
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec, load_spec
from servey_cdk.errors import AppDefinitionError
from tests.conftest import registry_of


@pytest.fixture(scope="module")
def library() -> AppSpec:
    return load_spec("tests.library_app")


def test_GIVEN_a_batch_function_THEN_its_field_is_typed_by_one_item_nullable_where_items_may_be_errors(
    library: AppSpec,
) -> None:
    assert library.graphql is not None
    book = library.graphql.sdl.split("type Book {")[1].split("}")[0]
    assert "  author: Author\n" in book  # list[Author | NotFound]: an error item is a null field
    assert "  shelf: String\n" in book


def test_GIVEN_a_batch_function_THEN_the_spec_names_it_a_batch_with_its_batch_size(library: AppSpec) -> None:
    author, shelf = library.action("author"), library.action("shelf")
    assert (author.batch, author.batch_size, author.owner) == (True, 25, "Book")
    assert (shelf.batch, shelf.batch_size) == (True, 100)  # the default
    assert library.action("books").batch is False
    assert library.graphql is not None
    resolver = next(r for r in library.graphql.resolvers if r.field_name == "author")
    assert (resolver.type_name, resolver.batch_size) == ("Book", 25)


@dataclass
class Shelf:
    name: str

    @action(batch=True)
    @staticmethod
    def count(shelves: list[Shelf]) -> int:
        return len(shelves)

    @action(batch=True, batch_size=5000)
    @staticmethod
    def label(shelves: list[Shelf]) -> list[str]:
        return [shelf.name for shelf in shelves]


@action(triggers=WEB_GET)
def shelves() -> list[Shelf]:
    return [Shelf("a")]


@action(batch=True, triggers=WEB_GET)
def loose(items: list[int]) -> list[int]:
    return items


def test_GIVEN_batch_functions_that_cannot_answer_one_result_per_parent_THEN_the_build_names_each() -> None:
    registry = registry_of(shelves, loose, Shelf.count, Shelf.label, owners={"count": Shelf, "label": Shelf})
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(registry)
    problems = "\n".join(raised.value.problems)
    assert (
        "action 'count': a batch function returns one result per parent, in order: declare it as "
        "returning a list (it is declared as returning int)" in problems
    )
    assert "action 'label': batch_size 5000 is outside AppSync's 1-2000" in problems
    assert "action 'loose': a batch function resolves a nested field" in problems
