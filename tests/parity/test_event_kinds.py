"""The sample app's handler and servey-local at the edges of each event kind the handler claims.

Events of a source the app does not claim (authorizers') run nothing; the proxy events'
edge cases (a form body, OPTIONS and HEAD, null maps, a custom domain's base path) get
the answer servey-local gives over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture
def client(sample_registry: Registry, lambda_app: LambdaApp) -> Iterator[TestClient]:
    assert lambda_app.connections is not None
    runtime = LocalRuntime(
        build_spec(sample_registry), lambda_app.handle, lambda_app.connections, password="pw"
    )
    with TestClient(runtime.app) as test_client:
        yield test_client


def _answer(result: dict[str, Any]) -> tuple[int, Any]:
    body = json.loads(result["body"]) if result.get("body") else None
    return result["statusCode"], {k: v for k, v in body.items() if k != "request_id"} if isinstance(
        body, dict
    ) else body


@pytest.mark.parametrize("fixture", ["apigw/rest_request_authorizer", "apigw/http_request_authorizer"])
def test_GIVEN_a_request_authorizer_event_shaped_like_a_delete_WHEN_handled_THEN_no_action_runs(
    lambda_app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str], fixture: str
) -> None:
    from sample_app.items import get_item

    event = load_event(fixture)
    token = f"Bearer {make_token('items:write')}"  # a token that would let the delete through
    event["headers"] = {
        name: token if name.lower() == "authorization" else v for name, v in event["headers"].items()
    }
    with pytest.raises(Exception, match="no source this function claims takes"):
        lambda_app.handle(event, context)
    assert get_item(42).item_id == 42  # still there


def test_GIVEN_a_websocket_request_authorizer_event_WHEN_handled_THEN_no_connection_is_stored(
    lambda_app: LambdaApp, context: FakeLambdaContext
) -> None:
    store = lambda_app.connections
    assert isinstance(store, InMemoryConnectionStore)
    with pytest.raises(Exception, match="no source this function claims takes"):
        lambda_app.handle(load_event("apigw/websocket_request_authorizer"), context)
    assert store.connections == {}


def test_GIVEN_a_form_body_WHEN_posted_THEN_the_handler_and_servey_local_answer_alike(
    lambda_app: LambdaApp, context: FakeLambdaContext, client: TestClient
) -> None:
    form = "grant_type=password&username=nobody&password=wrong"
    event = load_event("apigw_rest_post_json")
    event.update(resource="/actions/issue-account-token", path="/actions/issue-account-token", body=form)
    event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    event["requestContext"]["resourcePath"] = "/actions/issue-account-token"
    over_http = client.post(
        "/actions/issue-account-token",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    remote = _answer(lambda_app.handle(event, context))
    local = over_http.status_code, {k: v for k, v in over_http.json().items() if k != "request_id"}
    assert local == remote
    assert local[0] in (401, 422)


@pytest.mark.parametrize(("method", "status"), [("OPTIONS", 204), ("HEAD", 405)])
def test_GIVEN_options_and_head_through_a_greedy_resource_WHEN_handled_THEN_as_servey_local_answers(
    lambda_app: LambdaApp, context: FakeLambdaContext, client: TestClient, method: str, status: int
) -> None:
    event = load_event("apigw/rest_greedy_proxy")
    event.update(path="/items", httpMethod=method, pathParameters={"proxy": "items"})
    handled = lambda_app.handle(event, context)
    over_http = client.request(method, "/items")
    assert handled["statusCode"] == over_http.status_code == status
    if method == "OPTIONS":
        allowed = {k.lower(): v for k, v in handled["headers"].items()}["access-control-allow-methods"]
        assert allowed == over_http.headers["access-control-allow-methods"]


def test_GIVEN_null_maps_and_a_custom_domains_base_path_WHEN_handled_THEN_routed_by_resource_as_locally(
    lambda_app: LambdaApp, context: FakeLambdaContext, client: TestClient
) -> None:
    event = load_event("apigw_rest_path_param")
    event.update(resource="/items", path="/shop-api/items", pathParameters=None, stageVariables=None)
    event.update(headers=None, multiValueHeaders=None, queryStringParameters=None)
    event.update(multiValueQueryStringParameters=None)
    event["requestContext"].update(
        resourcePath="/items", path="/shop-api/items", domainName="api.example.com"
    )
    assert _answer(lambda_app.handle(event, context)) == (200, client.get("/items").json())
