"""The emulator over HTTP answers exactly as the Lambda handler answers API Gateway's own events.

One suite, two transports: `http` goes through servey-local; `handler` sends the
handler an event made from a recorded API Gateway REST event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime.lambda_context import LambdaContext
from local_runtime.rest import MAX_PAYLOAD_BYTES
from servey_cdk.appspec import AppSpec, load_spec
from servey_cdk.aws.handler import LambdaApp


@dataclass(frozen=True)
class Call:
    method: str
    resource: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        path = self.resource
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", value)
        return path


Answer = tuple[int, Any]
Transport = Callable[[Call], Answer]


def without_request_id(body: Any) -> Any:
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


@pytest.fixture
def handler_event(recorded_event: Callable[[str], Any]) -> Callable[[Call], dict[str, Any]]:
    """The event API Gateway sends for a call, made from a recorded one."""

    def make(call: Call) -> dict[str, Any]:
        event: dict[str, Any] = recorded_event("apigw_rest_say_hello")
        event.update(
            resource=call.resource,
            path=call.path,
            httpMethod=call.method,
            queryStringParameters=call.query or None,
            multiValueQueryStringParameters={k: [v] for k, v in call.query.items()} or None,
            pathParameters=call.path_params or None,
            body=None if call.body is None else json.dumps(call.body),
        )
        event["headers"].update(call.headers)
        event["multiValueHeaders"].update({k: [v] for k, v in call.headers.items()})
        if call.body is not None:
            event["headers"]["Content-Type"] = "application/json"
        event["requestContext"].update(resourcePath=call.resource, httpMethod=call.method)
        return event

    return make


@pytest.fixture(params=["http", "handler"])
def send(
    request: pytest.FixtureRequest,
    client: TestClient,
    lambda_app: LambdaApp,
    handler_event: Callable[[Call], dict[str, Any]],
    lambda_context: LambdaContext,
) -> Transport:
    def over_http(call: Call) -> Answer:
        content = None if call.body is None else json.dumps(call.body)
        headers = {**call.headers, **({"Content-Type": "application/json"} if content else {})}
        response = client.request(call.method, call.path, params=call.query, content=content, headers=headers)
        return response.status_code, without_request_id(response.json())

    def to_handler(call: Call) -> Answer:
        result = lambda_app.handle(handler_event(call), lambda_context)
        return result["statusCode"], without_request_id(json.loads(result["body"]))

    return over_http if request.param == "http" else to_handler


def example_calls(spec: AppSpec) -> list[Any]:
    calls = []
    for route in spec.routes:
        action = spec.action(route.action)
        for example in action.examples if route.kind == "action" else ():
            path_params = {k: str(v) for k, v in example.params.items() if k in route.path_params}
            rest = {k: v for k, v in example.params.items() if k not in route.path_params}
            in_query = route.method in ("GET", "DELETE")
            call = Call(
                route.method,
                route.path,
                path_params,
                query={k: str(v) for k, v in rest.items()} if in_query else {},
                body=None if in_query else rest,
            )
            calls.append(pytest.param(call, example.result, id=f"{action.name}-{example.name}"))
    return calls


@pytest.mark.parametrize(("call", "result"), example_calls(load_spec("sample_app")))
def test_GIVEN_an_example_WHEN_called_THEN_it_returns_its_result(
    send: Transport, call: Call, result: Any
) -> None:
    assert send(call) == (200, result)


BAD_CALLS = {
    "missing parameter": (Call("GET", "/actions/say-hello"), 422),
    "badly typed path parameter": (Call("GET", "/items/{item_id}", {"item_id": "abc"}), 422),
    "invalid JSON body": (Call("POST", "/items", body={"item": {"name": "", "price": "-1"}}), 422),
    "no token": (Call("GET", "/actions/only-for-root"), 401),
    "malformed token": (
        Call("GET", "/actions/only-for-root", headers={"Authorization": "Bearer x.y.z"}),
        401,
    ),
    "unknown item": (Call("GET", "/items/{item_id}", {"item_id": "999"}), 404),
    "method not allowed": (Call("PUT", "/items"), 405),
}


@pytest.mark.parametrize(("call", "status"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_GIVEN_bad_input_WHEN_sent_over_http_THEN_the_status_and_body_are_the_handlers(
    client: TestClient,
    lambda_app: LambdaApp,
    handler_event: Callable[[Call], dict[str, Any]],
    lambda_context: LambdaContext,
    call: Call,
    status: int,
) -> None:
    over_http = client.request(
        call.method, call.path, params=call.query, json=call.body, headers=call.headers
    )
    direct = lambda_app.handle(handler_event(call), lambda_context)
    assert over_http.status_code == direct["statusCode"] == status
    assert without_request_id(over_http.json()) == without_request_id(json.loads(direct["body"]))


def test_GIVEN_a_token_without_the_scope_WHEN_calling_a_scoped_action_THEN_403(
    send: Transport, make_token: Callable[..., str]
) -> None:
    call = Call("GET", "/actions/only-for-root", headers={"Authorization": f"Bearer {make_token('reader')}"})
    assert send(call)[0] == 403


def test_GIVEN_a_token_with_the_scope_WHEN_calling_a_scoped_action_THEN_200(
    send: Transport, make_token: Callable[..., str]
) -> None:
    call = Call("GET", "/actions/only-for-root", headers={"Authorization": f"Bearer {make_token('root')}"})
    assert send(call) == (200, "Some Secret Data!")


def test_GIVEN_an_unknown_path_WHEN_requested_THEN_the_router_answers_404_as_on_aws(
    client: TestClient,
    lambda_app: LambdaApp,
    recorded_event: Callable[[str], Any],
    lambda_context: LambdaContext,
) -> None:
    over_http = client.get("/nope")
    direct = lambda_app.handle(recorded_event("apigw_rest_unknown_route"), lambda_context)
    assert over_http.status_code == direct["statusCode"] == 404
    assert without_request_id(over_http.json()) == without_request_id(json.loads(direct["body"]))


def test_GIVEN_a_body_over_6_MB_WHEN_posted_THEN_413_without_invoking_the_function(
    client: TestClient,
) -> None:
    response = client.post("/items", content=b"x" * (MAX_PAYLOAD_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
