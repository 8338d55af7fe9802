"""Batch functions: their GraphQL field, the AppSpec's entry, and what the build refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from servey_cdk import WEB_GET, CallNext, Invocation, action, middleware
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec, load_spec
from servey_cdk.errors import ActionFailed, AppDefinitionError
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


@dataclass
class Tally:
    count: int

    @action(batch=True)
    @staticmethod
    def doubled(tallies: list[Tally], fail: bool = False) -> list[int]:
        if fail:
            raise RuntimeError("the store is down")
        return [tally.count * 2 for tally in tallies]


@action(triggers=WEB_GET)
def tallies() -> list[Tally]:
    return []


def test_GIVEN_middleware_WHEN_a_batch_function_runs_THEN_its_one_invocation_has_the_list_as_owner() -> None:
    seen: list[Any] = []

    @middleware
    def record(invocation: Invocation, call_next: CallNext) -> Any:
        seen.append(invocation.owner)
        return call_next(invocation)

    registry = registry_of(tallies, Tally.doubled, owners={"doubled": Tally}, middlewares=(record,))
    outcomes = registry.runner("doubled").invoke_batch(
        {}, [{"count": 1}, {"count": 2}], authorization=None, source="graphql", request_id="r"
    )
    assert outcomes == [2, 4]
    assert seen == [[Tally(1), Tally(2)]]


def test_GIVEN_a_batch_function_that_raises_WHEN_called_THEN_every_parent_gets_the_actions_own_error() -> (
    None
):
    registry = registry_of(tallies, Tally.doubled, owners={"doubled": Tally})
    outcomes = registry.runner("doubled").invoke_batch(
        {"fail": True}, [{"count": 1}, {"count": 2}], authorization=None, source="graphql", request_id="r"
    )
    assert [type(outcome) for outcome in outcomes] == [ActionFailed, ActionFailed]
    assert isinstance(outcomes[0].__cause__, RuntimeError)


def test_GIVEN_one_parent_WHEN_a_batch_function_is_invoked_as_any_action_THEN_it_gets_a_list_of_one() -> None:
    registry = registry_of(tallies, Tally.doubled, owners={"doubled": Tally})
    runner = registry.runner("doubled")
    assert runner.invoke({}, authorization=None, source="invoke", request_id="r", owner={"count": 21}) == 42
    assert runner.invoke({"count": 4}, authorization=None, source="rest", request_id="r") == 8
