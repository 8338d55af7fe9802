"""The sample app guards itself as a real app does: changes need a scope, costly inputs have bounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

# (method, path, body, the scope it needs)
CHANGES = {
    "create an item": ("POST", "/items", {"item": {"name": "Cup", "price": "2.50"}}, "items:write"),
    "delete an item": ("DELETE", "/items/404", None, "items:write"),
    "broadcast": ("POST", "/actions/broadcast-message", {"message": "hello"}, "messages:send"),
}


@pytest.mark.parametrize(("method", "path", "body", "scope"), CHANGES.values(), ids=CHANGES.keys())
def test_GIVEN_a_change_WHEN_sent_THEN_only_a_token_with_its_scope_makes_it(
    client: TestClient, make_token: Callable[..., str], method: str, path: str, body: Any, scope: str
) -> None:
    def send(*scopes: str) -> int:
        headers = {"Authorization": f"Bearer {make_token(*scopes)}"} if scopes else {}
        return client.request(method, path, json=body, headers=headers).status_code

    assert send() == 401
    assert send("reader") == 403
    assert send(scope) == 200


def test_GIVEN_a_value_over_its_bound_WHEN_asked_over_rest_THEN_422_names_it(client: TestClient) -> None:
    response = client.get("/actions/number-stats", params={"value": 200_000})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["value"]]


def test_GIVEN_a_value_over_its_bound_WHEN_asked_over_graphql_THEN_it_is_invalid_input(
    client: TestClient,
) -> None:
    text = "{ number_stats(value: 200000) { factorial } }"
    body = client.post("/graphql", json={"query": text}, headers={"Authorization": "anonymous"}).json()
    assert [error["extensions"] for error in body["errors"]] == [{"errorType": "InvalidInput"}]
