"""The REST side: the API Gateway event the emulator builds, and the response it makes of the answer."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.websocket import InMemoryConnectionStore
from tests.conftest import load_event


class RecordingHandler:
    """A stand-in function that keeps each event and answers with a set response."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.events: list[Any] = []
        self.answer = answer if answer is not None else {"statusCode": 200, "body": "{}"}
        self.error = error

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        self.events.append(event)
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture
def serve(spec: AppSpec) -> Iterator[Callable[[RecordingHandler], TestClient]]:
    clients: list[TestClient] = []

    def start(handler: RecordingHandler) -> TestClient:
        runtime = LocalRuntime(spec, handler, InMemoryConnectionStore(), password="pw")
        clients.append(TestClient(runtime.app).__enter__())
        return clients[-1]

    yield start
    for test_client in clients:
        test_client.__exit__(None, None, None)


def test_GIVEN_a_GET_WHEN_served_THEN_the_event_has_every_key_of_a_recorded_one(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).get("/actions/say-hello?name=World")
    recorded = load_event("apigw_rest_say_hello")
    event = handler.events[0]
    assert set(event) == set(recorded)
    assert set(event["requestContext"]) == set(recorded["requestContext"])
    assert set(event["requestContext"]["identity"]) == set(recorded["requestContext"]["identity"])


def test_GIVEN_repeated_query_values_WHEN_served_THEN_single_keeps_the_last_and_multi_keeps_all(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).get("/actions/say-hello?name=World&name=Again")
    event = handler.events[0]
    assert event["queryStringParameters"] == {"name": "Again"}
    assert event["multiValueQueryStringParameters"] == {"name": ["World", "Again"]}


def test_GIVEN_no_query_nor_body_WHEN_served_THEN_those_fields_are_null_as_on_aws(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).get("/actions/server-time")
    event = handler.events[0]
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] is None


def test_GIVEN_a_path_parameter_WHEN_served_THEN_the_resource_is_the_template(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).delete("/items/42")
    event = handler.events[0]
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/items/{item_id}",
        "/items/42",
        "DELETE",
    )
    assert event["pathParameters"] == {"item_id": "42"}
    assert event["requestContext"]["resourcePath"] == "/items/{item_id}"


def test_GIVEN_a_json_body_WHEN_served_THEN_it_is_passed_as_text(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).post("/items", json={"item": {"name": "Widget"}})
    assert handler.events[0]["body"] == '{"item":{"name":"Widget"}}'
    assert handler.events[0]["isBase64Encoded"] is False


def test_GIVEN_a_binary_body_WHEN_served_THEN_it_is_base64_encoded(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).post("/items", content=b"\x00\xff", headers={"Content-Type": "application/octet-stream"})
    assert handler.events[0]["isBase64Encoded"] is True
    assert base64.b64decode(handler.events[0]["body"]) == b"\x00\xff"


def test_GIVEN_repeated_headers_WHEN_served_THEN_multi_value_headers_keep_all(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    serve(handler).get("/actions/server-time", headers=[("X-Tag", "a"), ("X-Tag", "b"), ("x-custom", "c")])
    event = handler.events[0]
    assert event["headers"]["x-tag"] == "b"
    assert event["multiValueHeaders"]["x-tag"] == ["a", "b"]
    # Not re-capitalised: lowercase, as an HTTP/2 client (and so CloudFront) sends every name.
    assert event["headers"]["x-custom"] == "c"
    assert "X-Custom" not in event["headers"]


def test_GIVEN_a_proxy_response_WHEN_answered_THEN_headers_merge_and_base64_bodies_are_decoded(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    answer = {
        "statusCode": 201,
        "headers": {"Content-Type": "image/png", "X-One": "1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-One": ["1"]},
        "body": base64.b64encode(b"\x89PNG").decode(),
        "isBase64Encoded": True,
    }
    response = serve(RecordingHandler(answer)).get("/actions/server-time")
    assert response.status_code == 201
    assert response.content == b"\x89PNG"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.headers.get_list("x-one") == ["1"]
    assert response.headers["content-type"] == "image/png"


def test_GIVEN_the_function_raises_WHEN_requested_THEN_502_as_api_gateway_answers(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    response = serve(RecordingHandler(error=RuntimeError("boom"))).get("/actions/server-time")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    assert "boom" not in response.text


@pytest.mark.parametrize(
    "answer",
    [
        {"body": "no status"},
        {"statusCode": 200, "headers": ["X-One"]},
        {"statusCode": 200, "multiValueHeaders": {"X-One": 1}},
        {"statusCode": 200, "headers": {"X-Name": "snow \N{SNOWMAN}"}},
    ],
    ids=["no status", "headers not a mapping", "values not a list", "not latin-1"],
)
def test_GIVEN_a_malformed_answer_WHEN_requested_THEN_502(
    serve: Callable[[RecordingHandler], TestClient], answer: dict[str, Any]
) -> None:
    response = serve(RecordingHandler(answer)).get("/actions/server-time")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


@pytest.mark.parametrize("path", ["/actions/nope", "/items/1/extra"])
def test_GIVEN_an_api_path_no_route_matches_WHEN_requested_THEN_404_as_api_gateway_answers_it(
    serve: Callable[[RecordingHandler], TestClient], path: str
) -> None:
    handler = RecordingHandler()
    response = serve(handler).get(path)
    assert response.status_code == 404
    assert response.json()["detail"] == "no route for GET at this path"
    assert handler.events == []


@pytest.mark.parametrize("path", ["/docsx", "/staticx", "/_serveyx", "/graphqlx"])
def test_GIVEN_a_path_beginning_like_an_emulator_route_WHEN_requested_THEN_the_site_answers_it(
    serve: Callable[[RecordingHandler], TestClient], path: str
) -> None:
    response = serve(RecordingHandler()).get(path)
    assert response.status_code == 404
    assert f"<Key>{path[1:]}</Key>" in response.text  # the bucket's miss, as CloudFront sends it on


def test_GIVEN_another_method_of_a_path_WHEN_requested_THEN_405_with_allow_without_a_function(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    response = serve(handler).put("/items/7")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE, OPTIONS"
    assert response.json()["detail"] == "/items/{item_id} allows GET, DELETE, OPTIONS, not PUT"
    assert handler.events == []


@pytest.mark.parametrize("path", ["/actions/say-hello", "/items/7", "/actions", "/"])
def test_GIVEN_a_preflight_on_any_resource_WHEN_requested_THEN_204_with_cors_headers_without_a_function(
    spec: AppSpec, path: str
) -> None:
    handler = RecordingHandler()
    api_only = dataclasses.replace(spec, static=None)  # with a site, CloudFront sends `/` to the bucket
    with TestClient(LocalRuntime(api_only, handler, InMemoryConnectionStore(), password="pw").app) as client:
        response = client.options(path)
        between = client.get("/actions")
    assert response.status_code == 204
    assert "Authorization" in response.headers["access-control-allow-headers"].split(",")
    assert handler.events == []
    assert between.status_code == 404  # a resource between others has only its preflight


def test_GIVEN_another_method_with_a_body_the_mock_has_no_template_for_WHEN_sent_THEN_415(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    client = serve(RecordingHandler())
    refused = client.put("/items", content=b"a,b", headers={"Content-Type": "text/csv"})
    assert (refused.status_code, refused.json()) == (415, {"message": "Unsupported Media Type"})
    assert client.put("/items", content=b"a", headers={"Content-Type": "text/plain"}).status_code == 405


def test_GIVEN_a_required_query_parameter_missing_WHEN_requested_THEN_422_naming_it_without_a_function(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    client = serve(handler)
    response = client.get("/actions/say-hello?other=1")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Missing required request parameters: [name]"
    assert handler.events == []
    assert client.get("/actions/say-hello?name=").status_code == 422  # API Gateway refuses blank ones too
    assert client.get("/actions/say-hello?name=x").status_code == 200
    assert len(handler.events) == 1


def test_GIVEN_the_emulator_routes_WHEN_requested_THEN_they_are_not_sent_to_the_api(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    client = serve(handler)
    assert [client.get(path).status_code for path in ("/docs", "/openapi.json", "/graphiql")] == [200] * 3
    assert handler.events == []


def test_GIVEN_a_page_route_WHEN_requested_THEN_the_html_comes_from_the_handler(client: TestClient) -> None:
    response = client.get("/catalogue")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-item-id="42"' in response.text


def test_GIVEN_static_files_WHEN_requested_THEN_they_are_served(client: TestClient, spec: AppSpec) -> None:
    assert spec.static is not None
    response = client.get("/static/styles.css")
    assert response.status_code == 200
    assert response.text == Path(spec.static.directory, "styles.css").read_text()


def test_GIVEN_a_304_WHEN_answered_THEN_it_has_no_body(client: TestClient) -> None:
    first = client.get("/actions/server-time")
    second = client.get("/actions/server-time", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 304
    assert second.content == b""
    assert json.loads(first.text)


def test_GIVEN_a_client_that_leaves_mid_body_WHEN_served_THEN_nothing_is_invoked_or_sent(
    spec: AppSpec,
) -> None:
    handler = RecordingHandler()
    runtime = LocalRuntime(spec, handler, InMemoryConnectionStore(), password="pw")
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/items",
        "query_string": b"",
        "headers": [(b"content-length", b"100"), (b"content-type", b"application/json")],
    }
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(runtime.app(scope, receive, send))
    assert handler.events == []
    assert sent == []


def test_GIVEN_a_request_WHEN_answered_THEN_x_amzn_requestid_is_api_gateways_request_id(
    serve: Callable[[RecordingHandler], TestClient],
) -> None:
    handler = RecordingHandler()
    client = serve(handler)
    served = client.get("/actions/server-time")
    assert served.headers["x-amzn-requestid"] == handler.events[0]["requestContext"]["requestId"]
    refused = client.get("/actions/nope")
    assert refused.headers["x-amzn-requestid"] == refused.json()["request_id"]
    assert served.headers["x-amzn-requestid"] != refused.headers["x-amzn-requestid"]
