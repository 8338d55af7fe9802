"""A batch function in servey-local: the emulator gathers a field's parents in one request and the
handler makes one call for all of them, with AppSync's per-item errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from tests import library_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    registry = discover("tests.library_app")
    store = InMemoryConnectionStore()
    runtime = LocalRuntime(build_spec(registry), LambdaApp(registry, connections=store).handle, store)
    with TestClient(runtime.app) as test_client:
        yield test_client


def ask(client: TestClient, query: str) -> Any:
    library_app.AUTHOR_CALLS.clear()
    response = client.post("/graphql", json={"query": query}, headers={"authorization": "anonymous"})
    assert response.status_code == 200
    return response.json()


def test_GIVEN_three_books_WHEN_their_authors_are_selected_THEN_one_call_answers_all_with_per_item_errors(
    client: TestClient,
) -> None:
    body = ask(client, "{ books { title author { name } } }")
    assert library_app.AUTHOR_CALLS == [3]
    assert body["data"]["books"] == [
        {"title": "The Dispossessed", "author": {"name": "Ursula K. Le Guin"}},
        {"title": "Invisible Cities", "author": {"name": "Italo Calvino"}},
        {"title": "Unknown", "author": None},
    ]
    [error] = body["errors"]
    assert (error["path"], error["extensions"]) == (["books", 2, "author"], {"errorType": "NotFound"})
    assert error["message"].startswith("no author 9")


def test_GIVEN_a_field_selected_twice_under_aliases_WHEN_resolved_THEN_each_list_of_parents_goes_in_one_call(
    client: TestClient,
) -> None:
    body = ask(client, "{ first: books { author { name } } second: books { author { author_id } } }")
    # The two lists resolve in one turn of the loop or in two, as AppSync's batches are not bound
    # to a request either; never one call a parent.
    assert sorted(library_app.AUTHOR_CALLS) in ([6], [3, 3])
    assert body["data"]["second"][1] == {"author": {"author_id": 2}}


def test_GIVEN_a_batch_function_that_miscounts_WHEN_resolved_THEN_every_parent_has_an_error_naming_it(
    client: TestClient,
) -> None:
    body = ask(client, "{ books { title shelf } }")
    assert [book["shelf"] for book in body["data"]["books"]] == [None, None, None]
    assert [error["path"] for error in body["errors"]] == [["books", i, "shelf"] for i in range(3)]
    assert {error["extensions"]["errorType"] for error in body["errors"]} == {"BatchMismatch"}
    message = "batch function 'shelf' returned 2 results for 3 parents"
    assert all(message in error["message"] for error in body["errors"])
