"""An action's own status, headers and cookies: the same over servey-local and from the handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk import Response
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from servey_cdk.openapi import openapi_document
from tests.conftest import FakeLambdaContext, load_event

APP = "tests.parity.edges_app"


@pytest.fixture(scope="module")
def spec() -> AppSpec:
    return build_spec(discover(APP))


@pytest.fixture
def lambda_app(spec: AppSpec) -> LambdaApp:
    return LambdaApp(discover(APP), connections=InMemoryConnectionStore(), spec=spec)


@pytest.fixture
def client(spec: AppSpec, lambda_app: LambdaApp) -> Iterator[TestClient]:
    assert lambda_app.connections is not None
    with TestClient(LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password="pw").app) as c:
        yield c


def _v1(method: str, resource: str, path: str, body: Any = None, path_params: Any = None) -> dict[str, Any]:
    event = load_event("apigw_rest_post_json")
    event.update(httpMethod=method, resource=resource, path=path, pathParameters=path_params)
    event.update(body=None if body is None else json.dumps(body))
    event["requestContext"].update(resourcePath=resource, httpMethod=method)
    return event


def test_GIVEN_an_action_returning_a_response_WHEN_called_THEN_status_headers_and_cookie_are_sent_alike(
    client: TestClient, lambda_app: LambdaApp, context: FakeLambdaContext
) -> None:
    local = client.post("/notes", json={"text": "hello"})
    handled = lambda_app.handle(_v1("POST", "/notes", "/notes", {"text": "hello"}), context)
    assert local.status_code == handled["statusCode"] == 201
    assert local.json() == json.loads(handled["body"]) == {"note_id": 7, "text": "hello"}
    assert local.headers["location"] == handled["headers"]["Location"] == "/notes/7"
    assert local.headers["x-note-count"] == "1"
    assert local.headers["set-cookie"] == "last_note=7; Path=/; HttpOnly"
    assert handled["multiValueHeaders"] == {"Set-Cookie": ["last_note=7; Path=/; HttpOnly"]}


def test_GIVEN_an_http_api_event_WHEN_the_action_sets_a_cookie_THEN_it_is_in_the_v2_cookies(
    lambda_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw/http_default_route")
    event["requestContext"]["http"]["method"] = "POST"
    event.update(rawPath="/notes", body=json.dumps({"text": "hi"}))
    event["headers"]["content-type"] = "application/json"
    handled = lambda_app.handle(event, context)
    assert (handled["statusCode"], handled["cookies"]) == (201, ["last_note=7; Path=/; HttpOnly"])


def test_GIVEN_a_route_declared_204_WHEN_called_THEN_no_body_on_either_side(
    client: TestClient, lambda_app: LambdaApp, context: FakeLambdaContext
) -> None:
    local = client.delete("/notes/7")
    handled = lambda_app.handle(
        _v1("DELETE", "/notes/{note_id}", "/notes/7", None, {"note_id": "7"}), context
    )
    assert (
        (local.status_code, local.content) == (handled["statusCode"], handled["body"].encode()) == (204, b"")
    )


def test_GIVEN_a_response_WHEN_the_action_runs_over_graphql_or_in_python_THEN_the_body_is_the_result(
    client: TestClient,
) -> None:
    answer = client.post(
        "/graphql",
        json={"query": 'mutation { add_note(text: "x") { note_id text } }'},
        headers={"Authorization": "anonymous"},
    )
    assert answer.json() == {"data": {"add_note": {"note_id": 7, "text": "x"}}}


def test_GIVEN_responses_THEN_openapi_documents_their_statuses_and_schema(spec: AppSpec) -> None:
    paths = openapi_document(spec)["paths"]
    created = paths["/notes"]["post"]["responses"]
    assert "201" in created
    assert "200" not in created
    assert created["201"]["content"]["application/json"]["schema"] == spec.action("add_note").result_schema
    assert spec.action("add_note").result_schema == {"$ref": "#/components/schemas/Note"}
    dropped = paths["/notes/{note_id}"]["delete"]["responses"]
    assert "204" in dropped
    assert "content" not in dropped["204"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"body": 1, "status": 99}, "status is 200-599"),
        ({"body": 1, "status": 204}, "a 204 response has no body"),
    ],
)
def test_GIVEN_a_response_AWS_cannot_send_WHEN_made_THEN_it_is_refused(arguments: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Response(**arguments)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),
        ({"If-Modified-Since": "Mon, 30 Nov 2026 09:15:42 GMT"}, 304),
        ({"If-Modified-Since": "Tue, 01 Dec 2026 00:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Mon, 30 Nov 2026 09:15:41 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        ({"If-Modified-Since": "Tue, 01 Dec 2026 00:00:00 GMT", "If-None-Match": '"other"'}, 200),
    ],
)
def test_GIVEN_a_timestamped_result_WHEN_asked_if_modified_since_THEN_both_sides_answer_by_its_time(
    client: TestClient,
    lambda_app: LambdaApp,
    context: FakeLambdaContext,
    headers: dict[str, str],
    status: int,
) -> None:
    local = client.get("/pages/home", headers=headers)
    event = _v1("GET", "/pages/{title}", "/pages/home", None, {"title": "home"})
    event["headers"] = {**event["headers"], **headers}
    handled = lambda_app.handle(event, context)
    assert local.status_code == handled["statusCode"] == status
    assert (
        local.headers["last-modified"]
        == handled["headers"]["Last-Modified"]
        == "Mon, 30 Nov 2026 09:15:42 GMT"
    )


def test_GIVEN_a_nested_action_with_a_web_trigger_WHEN_called_THEN_its_parent_comes_from_the_query(
    client: TestClient, lambda_app: LambdaApp, context: FakeLambdaContext, spec: AppSpec
) -> None:
    event = _v1("GET", "/factorials", "/factorials")
    event.update(queryStringParameters={"value": "5", "offset": "1"})
    event.update(multiValueQueryStringParameters={"value": ["5"], "offset": ["1"]})
    handled = lambda_app.handle(event, context)
    local = client.get("/factorials", params={"value": "5", "offset": "1"})
    assert (
        (local.status_code, local.json())
        == (handled["statusCode"], json.loads(handled["body"]))
        == (200, 121)
    )
    missing = client.get("/factorials")
    assert missing.status_code == 422
    assert "Missing required request parameters: [value]" in missing.json()["detail"][0]["msg"]
    names = [p["name"] for p in openapi_document(spec)["paths"]["/factorials"]["get"]["parameters"]]
    assert sorted(names) == ["offset", "value"]
