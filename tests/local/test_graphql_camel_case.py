"""servey-local serving an app of camelCase GraphQL fields: queries, arguments, input types, nested
fields and batch functions by their camelCase names, through the same handler as on AWS."""

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


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    registry = discover("tests.camel_app")
    store = InMemoryConnectionStore()
    runtime = LocalRuntime(build_spec(registry), LambdaApp(registry, connections=store).handle, store)
    with TestClient(runtime.app) as test_client:
        yield test_client


def ask(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = {"query": query, "variables": variables or {}}
    response = client.post("/graphql", json=body, headers={"authorization": "anonymous"})
    assert response.status_code == 200
    return response.json()


def test_GIVEN_camel_case_WHEN_querying_fields_arguments_and_nested_fields_THEN_they_resolve(
    client: TestClient,
) -> None:
    query = """{ findBooks(authorId: 1, titlePrefix: "The") {
        bookTitle authorId pageTotal authorName chapters { chapterTitle pageCount wordCounts } } }"""
    assert ask(client, query) == {
        "data": {
            "findBooks": [
                {
                    "bookTitle": "The Left Hand",
                    "authorId": 1,
                    "pageTotal": 15,
                    "authorName": "author 1",
                    "chapters": [
                        {"chapterTitle": "first_light", "pageCount": 10, "wordCounts": '{"snow_days": 3}'},
                        {"chapterTitle": "two", "pageCount": 5, "wordCounts": "{}"},
                    ],
                }
            ]
        }
    }


def test_GIVEN_camel_case_WHEN_a_mutation_takes_an_input_type_in_variables_THEN_it_is_renamed(
    client: TestClient,
) -> None:
    query = (
        'mutation Add($book: NewBookInput!) { addBook(newBook: $book, firstChapter: "one") { bookTitle } }'
    )
    body = ask(client, query, {"book": {"bookTitle": "New", "authorId": 4}})
    assert body == {"data": {"addBook": {"bookTitle": "New"}}}


def test_GIVEN_camel_case_WHEN_a_python_name_is_queried_THEN_graphql_says_there_is_no_such_field(
    client: TestClient,
) -> None:
    body = ask(client, "{ find_books(author_id: 1) { book_title } }")
    assert body["data"] is None
    assert "Cannot query field 'find_books' on type 'Query'." in body["errors"][0]["message"]
