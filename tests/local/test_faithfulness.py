"""The emulator over HTTP answers exactly as AWS does.

One suite, two transports: `http` goes through servey-local; `handler` sends the
handler an event made from a recorded API Gateway REST event. What API Gateway
answers by itself (unknown paths, other methods, missing required parameters, CORS
preflights) is compared with the answers the constructs configure in the synthesized
template of the sample app (its snapshot, which the construct tests keep equal to a
real synth).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime.lambda_context import LambdaContext
from local_runtime.rest import MAX_PAYLOAD_BYTES
from servey_cdk import ANY_UUID, WEB_POST, Example, ScopeAccessControl, action
from servey_cdk.appspec import ActionSpec, AppSpec, ExampleSpec
from servey_cdk.appspec_builder import build_spec, load_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.matchers import from_markers, settle
from tests.conftest import REPO_ROOT, load_event, registry_of


@dataclass(frozen=True)
class Call:
    method: str
    resource: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    scopes: tuple[str, ...] = ()  # those of the bearer token it carries, if any

    @property
    def path(self) -> str:
        path = self.resource
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", value)
        return path

    def signed(self, make_token: Callable[..., str]) -> Call:
        """The call with a bearer token holding its scopes, when it names any."""
        if not self.scopes:
            return self
        return replace(self, headers={**self.headers, "Authorization": f"Bearer {make_token(*self.scopes)}"})


Answer = tuple[int, Any]
Transport = Callable[[Call], Answer]


def without_request_id(body: Any) -> Any:
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


@pytest.fixture
def handler_event() -> Callable[[Call], dict[str, Any]]:
    """The event API Gateway sends for a call, made from a recorded one."""

    def make(call: Call) -> dict[str, Any]:
        event: dict[str, Any] = load_event("apigw_rest_say_hello")
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
    make_token: Callable[..., str],
) -> Transport:
    def over_http(call: Call) -> Answer:
        call = call.signed(make_token)
        content = None if call.body is None else json.dumps(call.body)
        headers = {**call.headers, **({"Content-Type": "application/json"} if content else {})}
        response = client.request(call.method, call.path, params=call.query, content=content, headers=headers)
        return response.status_code, without_request_id(response.json())

    def to_handler(call: Call) -> Answer:
        result = lambda_app.handle(handler_event(call.signed(make_token)), lambda_context)
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
                scopes=_example_scopes(spec, action, example),
            )
            result = from_markers(example.result)  # its matchers back in place of their markers
            calls.append(pytest.param(call, result, id=f"{action.name}-{example.name}"))
    return calls


def _example_scopes(spec: AppSpec, action: ActionSpec, example: ExampleSpec) -> tuple[str, ...]:
    """The example's caller's scopes; else, as `servey rehearse --login` and the example tests call
    an action that needs a token, every scope."""
    if example.scopes is not None:
        return example.scopes
    return spec.auth.scopes if action.requires_token else ()


@pytest.mark.parametrize(("call", "result"), example_calls(load_spec("sample_app")))
def test_GIVEN_an_example_WHEN_called_THEN_it_returns_its_result(
    send: Transport, call: Call, result: Any
) -> None:
    status, body = send(call)

    assert (status, body) == (200, settle(result, body))


@action(
    triggers=WEB_POST,
    access_control=ScopeAccessControl("stamps:write"),
    examples=Example("stamped", {"label": "a"}, {"id": ANY_UUID, "label": "a"}, scopes=("stamps:write",)),
)
def stamp(label: str) -> dict[str, str]:
    return {"id": str(uuid.uuid4()), "label": label}


def test_GIVEN_an_example_with_scopes_and_matchers_WHEN_replayed_from_the_spec_THEN_it_holds(
    handler_event: Callable[[Call], dict[str, Any]],
    lambda_context: LambdaContext,
    make_token: Callable[..., str],
) -> None:
    registry = registry_of(stamp)
    [(call, result)] = [param.values for param in example_calls(build_spec(registry, check=False))]

    answer = LambdaApp(registry).handle(handler_event(call.signed(make_token)), lambda_context)

    body = json.loads(answer["body"])
    assert call.scopes == ("stamps:write",)
    assert (answer["statusCode"], body) == (200, settle(result, body))


BAD_CALLS = {
    "badly typed query parameter": (Call("GET", "/items", query={"limit": "many"}), 422),
    "badly typed path parameter": (Call("GET", "/items/{item_id}", {"item_id": "abc"}), 422),
    "invalid JSON body": (
        Call("POST", "/items", body={"item": {"name": "", "price": "-1"}}, scopes=("items:write",)),
        422,
    ),
    "no token for a body": (Call("POST", "/items", body={"item": {"name": "Cup", "price": "1"}}), 401),
    "no token": (Call("GET", "/actions/only-for-root"), 401),
    "malformed token": (
        Call("GET", "/actions/only-for-root", headers={"Authorization": "Bearer x.y.z"}),
        401,
    ),
    "unknown item": (Call("GET", "/items/{item_id}", {"item_id": "999"}), 404),
}


@pytest.mark.parametrize(("call", "status"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_GIVEN_bad_input_WHEN_sent_over_http_THEN_the_status_and_body_are_the_handlers(
    client: TestClient,
    lambda_app: LambdaApp,
    handler_event: Callable[[Call], dict[str, Any]],
    lambda_context: LambdaContext,
    make_token: Callable[..., str],
    call: Call,
    status: int,
) -> None:
    call = call.signed(make_token)
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


@pytest.fixture(scope="module")
def template_resources() -> list[dict[str, Any]]:
    snapshot = REPO_ROOT / "tests" / "constructs" / "snapshots" / "sample_app.template.json"
    return list(json.loads(snapshot.read_text())["Resources"].values())


def _gateway_response(resources: list[dict[str, Any]], response_type: str) -> dict[str, Any]:
    (response,) = [
        resource["Properties"]
        for resource in resources
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse"
        and resource["Properties"]["ResponseType"] == response_type
    ]
    return {
        "status": int(response["StatusCode"]),
        "template": response["ResponseTemplates"]["application/json"],
        "headers": _mapped_headers(response["ResponseParameters"]),
    }


def _mapped_headers(parameters: dict[str, str]) -> dict[str, str]:
    """`{"method.response.header.Allow": "'GET'"}` → `{"allow": "GET"}`: the headers a mapping sets."""
    return {name.split(".")[-1].lower(): value.strip("'") for name, value in parameters.items()}


def _other_methods_mock(resources: list[dict[str, Any]], path: str) -> dict[str, Any]:
    for resource in resources:
        method = resource["Properties"]
        if resource["Type"] == "AWS::ApiGateway::Method" and method["HttpMethod"] == "ANY":
            (answer,) = method["Integration"]["IntegrationResponses"]
            template = answer["ResponseTemplates"]["application/json"]
            if json.loads(template)["detail"].startswith(f"{path} allows "):
                return {
                    "status": int(answer["StatusCode"]),
                    "template": template,
                    "headers": _mapped_headers(answer["ResponseParameters"]),
                }
    raise AssertionError(f"no ANY method for {path}")


GATEWAY_CALLS = {
    "unknown path": (Call("GET", "/actions/nope"), "MISSING_AUTHENTICATION_TOKEN"),
    "unknown path below a route": (Call("POST", "/items/1/extra"), "MISSING_AUTHENTICATION_TOKEN"),
    "missing required parameter": (Call("GET", "/actions/say-hello"), "BAD_REQUEST_PARAMETERS"),
    "another method": (Call("PUT", "/items"), "ANY"),
    "another method of a page": (Call("POST", "/catalogue"), "ANY"),
}


@pytest.mark.parametrize(("call", "answered_by"), GATEWAY_CALLS.values(), ids=GATEWAY_CALLS.keys())
def test_GIVEN_a_call_api_gateway_answers_itself_WHEN_sent_over_http_THEN_the_answer_is_the_templates(
    client: TestClient, template_resources: list[dict[str, Any]], call: Call, answered_by: str
) -> None:
    over_http = client.request(call.method, call.path)
    configured = (
        _other_methods_mock(template_resources, call.resource)
        if answered_by == "ANY"
        else _gateway_response(template_resources, answered_by)
    )
    context = {
        "$context.httpMethod": call.method,
        "$context.requestId": over_http.json()["request_id"],
        "$context.error.messageString": json.dumps("Missing required request parameters: [name]"),
    }
    body = configured["template"]
    for variable, value in context.items():
        body = body.replace(variable, value)
    assert over_http.status_code == configured["status"]
    assert over_http.json() == json.loads(body)
    assert configured["headers"].items() <= over_http.headers.items()


def test_GIVEN_a_preflight_WHEN_sent_over_http_THEN_its_headers_are_the_templates(
    client: TestClient, template_resources: list[dict[str, Any]]
) -> None:
    over_http = client.options("/items")
    (configured, *_) = [
        resource["Properties"]["Integration"]["IntegrationResponses"][0]
        for resource in template_resources
        if resource["Type"] == "AWS::ApiGateway::Method" and resource["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    headers = _mapped_headers(configured["ResponseParameters"])
    assert over_http.status_code == int(configured["StatusCode"])
    assert headers.items() <= over_http.headers.items()


def test_GIVEN_a_body_over_6_MB_WHEN_posted_THEN_413_without_invoking_the_function(
    client: TestClient,
) -> None:
    response = client.post("/items", content=b"x" * (MAX_PAYLOAD_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
