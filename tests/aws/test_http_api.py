"""HTTP API (payload 2.0) events through the Lambda handler of an app that chose the HTTP API.

GIVEN recorded v2 events (`tests/events/apigw/http_*.json`) WHEN one function of the app handles
them, as the HTTP API sends them to it, THEN it answers as the REST flavour does: the same statuses
and error bodies, its `$default` route's 404 and 405 included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry, discover
from servey_cdk.http_api import default_route_function
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture(scope="module")
def notes_registry() -> Registry:
    return discover("tests.constructs.http_app")


def function_of(registry: Registry, function: str) -> LambdaApp:
    """One function of the app's HTTP API flavour, as deployed: it serves only its own actions."""
    spec = build_spec(registry, BuildSettings(api="http"))
    return LambdaApp(registry, function=function, spec=spec)


def body(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])


def test_GIVEN_the_sample_app_THEN_its_default_route_goes_to_its_router(sample_registry: Registry) -> None:
    spec: AppSpec = build_spec(sample_registry, BuildSettings(api="http"))
    assert spec.api == "http"
    assert default_route_function(spec) == "router"


def test_GIVEN_the_default_route_WHEN_another_method_of_a_known_path_arrives_THEN_405_names_every_method(
    sample_registry: Registry, context: FakeLambdaContext
) -> None:
    """The router serves neither GET nor DELETE /items/{item_id}, yet its `Allow` names both."""
    answer = function_of(sample_registry, "router").handle(load_event("apigw/http_other_method"), context)
    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == "GET, DELETE, OPTIONS"
    assert body(answer) == {
        "error": "method_not_allowed",
        "detail": "/items/{item_id} allows GET, DELETE, OPTIONS, not PUT",
        "request_id": context.aws_request_id,
    }


def test_GIVEN_the_default_route_WHEN_a_path_no_route_takes_arrives_THEN_404_in_the_error_model(
    sample_registry: Registry, context: FakeLambdaContext
) -> None:
    event = load_event("apigw/http_other_method")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/no/such/route"
    answer = function_of(sample_registry, "router").handle(event, context)
    assert answer["statusCode"] == 404
    assert body(answer) == {
        "error": "not_found",
        "detail": "no route for PUT at this path",
        "request_id": context.aws_request_id,
    }


def test_GIVEN_a_post_with_cookies_WHEN_the_action_answers_201_with_a_cookie_THEN_it_is_in_cookies(
    notes_registry: Registry, context: FakeLambdaContext
) -> None:
    answer = function_of(notes_registry, "create_note").handle(load_event("apigw/http_post_note"), context)
    assert answer["statusCode"] == 201
    assert answer["headers"]["Location"] == "/notes/1"
    assert answer["cookies"] == ["last_note=1; HttpOnly; Secure; SameSite=Lax"]
    assert "multiValueHeaders" not in answer  # payload 2.0 has none
    assert body(answer) == {"note_id": 1, "text": "hello"}


def test_GIVEN_a_greedy_route_THEN_the_action_gets_the_rest_of_the_path_decoded(
    notes_registry: Registry, context: FakeLambdaContext
) -> None:
    answer = function_of(notes_registry, "get_file").handle(load_event("apigw/http_greedy_path"), context)
    assert answer["statusCode"] == 200
    assert body(answer) == {"key": "reports/2026/q4 final.pdf"}


def _v1_and_v2(path: str, method: str = "GET", query: dict[str, str] | None = None) -> list[Any]:
    """One request as the REST API's event and as the HTTP API's."""
    v1 = load_event("apigw_rest_say_hello")
    v1.update(resource=path, path=path, httpMethod=method, queryStringParameters=query)
    v1["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    v2 = load_event("apigw_http_say_hello")
    v2["routeKey"] = v2["requestContext"]["routeKey"] = f"{method} {path}"
    v2["rawPath"] = v2["requestContext"]["http"]["path"] = path
    v2["requestContext"]["http"]["method"] = method
    v2["rawQueryString"] = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    v2.pop("queryStringParameters")
    if query:
        v2["queryStringParameters"] = query
    return [v1, v2]


@pytest.mark.parametrize(
    ("path", "query", "status", "error"),
    [
        ("/actions/say-hello", None, 422, "invalid_input"),
        ("/actions/number-stats", {"value": "200000"}, 422, "invalid_input"),
        ("/actions/only-for-root", None, 401, "unauthorized"),
        ("/items/{item_id}", None, 404, "not_found"),  # no such item: the action's own NotFound
    ],
)
def test_GIVEN_one_failing_request_as_v1_and_as_v2_THEN_the_status_and_error_body_are_the_same(
    app: LambdaApp,
    context: FakeLambdaContext,
    path: str,
    query: dict[str, str] | None,
    status: int,
    error: str,
) -> None:
    answers = []
    for event in _v1_and_v2(path, query=query):
        if "{item_id}" in path:
            event["pathParameters"] = {"item_id": "987654"}
        answers.append(app.handle(event, context))
    rest, http = answers
    assert rest["statusCode"] == http["statusCode"] == status
    assert body(rest) == body(http)
    assert body(http)["error"] == error
    assert body(http)["request_id"] == context.aws_request_id
    assert rest["headers"] == http["headers"]
