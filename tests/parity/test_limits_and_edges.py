"""servey-local and the Lambda handler answer alike at AWS's limits and the edges of its events.

Each case goes through servey-local over HTTP and, as an AWS-shaped event, through the
handler; the two answers must be equal. Where only AWS itself acts (a timeout API Gateway
or AppSync enforces), servey-local must give the answer AWS documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.graphql_api import GraphQLApi
from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from local_runtime.rest import RestApi
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.http import MAX_RESPONSE_BYTES
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from tests.conftest import load_event

Answer = tuple[int, Any]


@pytest.fixture(scope="module")
def spec() -> AppSpec:
    return build_spec(discover("tests.parity.edges_app"))


@pytest.fixture
def lambda_app(spec: AppSpec) -> LambdaApp:
    return LambdaApp(discover("tests.parity.edges_app"), connections=InMemoryConnectionStore(), spec=spec)


@pytest.fixture
def client(spec: AppSpec, lambda_app: LambdaApp) -> Iterator[TestClient]:
    assert lambda_app.connections is not None
    runtime = LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password="pw")
    with TestClient(runtime.app) as test_client:
        yield test_client


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext("edges", memory_limit_in_mb=256, timeout_s=29)


def _body(text: str) -> Any:
    body = json.loads(text) if text else None
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


@pytest.fixture
def over_http(client: TestClient) -> Callable[[str], Answer]:
    def send(raw_path: str) -> Answer:
        response = client.get(raw_path)
        return response.status_code, _body(response.text)

    return send


@pytest.fixture
def to_handler(lambda_app: LambdaApp, lambda_context: LambdaContext) -> Callable[[dict[str, Any]], Answer]:
    def send(event: dict[str, Any]) -> Answer:
        result = lambda_app.handle(event, lambda_context)
        return result["statusCode"], _body(result["body"])

    return send


def rest_event(resource: str, path: str, path_params: dict[str, str] | None, query: dict[str, str]) -> Any:
    """A REST (v1) proxy event, as API Gateway sends it: path parameters still percent-encoded."""
    event = load_event("apigw_rest_path_param")
    event.update(resource=resource, path=path, pathParameters=path_params)
    event.update(queryStringParameters=query or None)
    event.update(multiValueQueryStringParameters={k: [v] for k, v in query.items()} or None)
    event["requestContext"]["resourcePath"] = resource
    return event


@pytest.mark.parametrize(
    ("raw_path", "resource", "path_params", "expected"),
    [
        ("/numbers/%34%32", "/numbers/{n}", {"n": "%34%32"}, (200, 42)),
        ("/numbers/42", "/numbers/{n}", {"n": "42"}, (200, 42)),
        (
            "/names/caf%C3%A9%20au%20lait",
            "/names/{name}",
            {"name": "caf%C3%A9%20au%20lait"},
            (200, "café au lait"),
        ),
        ("/names/a%2Fb", "/names/{name}", {"name": "a%2Fb"}, (200, "a/b")),
    ],
)
def test_GIVEN_a_percent_encoded_path_parameter_WHEN_sent_THEN_both_give_the_action_it_decoded(
    over_http: Callable[[str], Answer],
    to_handler: Callable[[dict[str, Any]], Answer],
    raw_path: str,
    resource: str,
    path_params: dict[str, str],
    expected: Answer,
) -> None:
    assert over_http(raw_path) == to_handler(rest_event(resource, raw_path, path_params, {})) == expected


@pytest.mark.parametrize("megabytes", [5.5, 7])
def test_GIVEN_an_answer_near_lambdas_6_MB_WHEN_sent_THEN_both_answer_alike_and_over_it_name_the_action(
    over_http: Callable[[str], Answer], to_handler: Callable[[dict[str, Any]], Answer], megabytes: float
) -> None:
    local = over_http(f"/actions/big?megabytes={megabytes}")
    remote = to_handler(rest_event("/actions/big", "/actions/big", None, {"megabytes": str(megabytes)}))
    if megabytes * 1024 * 1024 < MAX_RESPONSE_BYTES:
        assert local[0] == remote[0] == 200
        assert len(local[1]) == len(remote[1]) == int(megabytes * 1024 * 1024)
    else:
        assert local == remote
        assert local == (
            502,
            {
                "error": "response_too_large",
                "detail": "the response of action 'big' is over Lambda's 6291456-byte response limit",
            },
        )


@pytest.mark.parametrize(
    "fixture",
    [
        "apigw/http_default_route",
        "apigw/http_named_stage_proxy",
        "apigw/function_url",
        "apigw/rest_greedy_proxy",
    ],
)
def test_GIVEN_an_event_of_a_route_that_is_no_action_s_WHEN_handled_THEN_its_path_is_routed(
    over_http: Callable[[str], Answer], to_handler: Callable[[dict[str, Any]], Answer], fixture: str
) -> None:
    assert to_handler(load_event(fixture)) == over_http("/numbers/7") == (200, 7)


def test_GIVEN_a_function_url_event_without_a_route_key_WHEN_handled_THEN_it_is_served_too(
    to_handler: Callable[[dict[str, Any]], Answer],
) -> None:
    event = load_event("apigw/function_url")
    del event["routeKey"]
    assert to_handler(event) == (200, 7)


def test_GIVEN_a_default_route_event_for_an_unknown_path_or_method_THEN_404_and_405_as_over_http(
    over_http: Callable[[str], Answer], to_handler: Callable[[dict[str, Any]], Answer], client: TestClient
) -> None:
    unknown = load_event("apigw/http_default_route")
    unknown["rawPath"] = "/nowhere"
    assert to_handler(unknown)[0] == over_http("/nowhere")[0] == 404
    other_method = load_event("apigw/http_default_route")
    other_method["requestContext"]["http"]["method"] = "DELETE"
    assert to_handler(other_method)[0] == client.delete("/numbers/7").status_code == 405


def test_GIVEN_an_action_past_its_functions_timeout_WHEN_called_over_http_THEN_502_as_api_gateway_answers(
    over_http: Callable[[str], Answer],
) -> None:
    assert over_http("/actions/slow?seconds=1.5") == (502, {"message": "Internal server error"})
    assert over_http("/actions/slow?seconds=0") == (200, "done")


def _slow_function_spec(spec: AppSpec) -> AppSpec:
    """The spec with `slow`'s function given 10 s, so that its caller's limit comes first."""
    import dataclasses

    functions = tuple(
        dataclasses.replace(f, timeout=10) if f.name == spec.action("slow").function else f
        for f in spec.functions
    )
    return dataclasses.replace(spec, functions=functions)


def test_GIVEN_a_function_slower_than_the_integration_timeout_WHEN_called_THEN_504_as_api_gateway_answers(
    spec: AppSpec, lambda_app: LambdaApp
) -> None:
    invoker = FunctionInvoker(_slow_function_spec(spec), lambda_app.handle)
    api = RestApi(spec, invoker, integration_timeout_s=0.3)
    with TestClient(Starlette(routes=[Route("/{path:path}", api.respond)])) as client:
        response = client.get("/actions/slow?seconds=1")
    assert (response.status_code, response.json()) == (504, {"message": "Endpoint request timed out"})


def test_GIVEN_a_query_slower_than_appsyncs_limit_WHEN_run_THEN_the_execution_timeout_error(
    spec: AppSpec, lambda_app: LambdaApp
) -> None:
    assert spec.graphql is not None
    invoker = FunctionInvoker(_slow_function_spec(spec), lambda_app.handle)
    graphql = GraphQLApi(spec.graphql, invoker, request_timeout_s=0.3)
    with TestClient(Starlette(routes=[Route("/graphql", graphql.endpoint, methods=["POST"])])) as client:
        response = client.post(
            "/graphql", json={"query": "{ slow(seconds: 1) }"}, headers={"Authorization": "anonymous"}
        )
    assert response.json() == {
        "data": None,
        "errors": [{"errorType": "Lambda:ExecutionTimeoutException", "message": "Execution timed out."}],
    }


def test_GIVEN_a_resolver_answer_over_6_MB_WHEN_queried_THEN_both_give_the_error_naming_the_action(
    client: TestClient, lambda_app: LambdaApp, lambda_context: LambdaContext
) -> None:
    response = client.post(
        "/graphql", json={"query": "{ big(megabytes: 7) }"}, headers={"Authorization": "anonymous"}
    )
    (local,) = response.json()["errors"]
    event = load_event("appsync_query_say_hello")
    event.update(arguments={"megabytes": 7})
    event["info"].update(fieldName="big", parentTypeName="Query")
    with pytest.raises(Exception, match="over Lambda's 6291456-byte response limit") as raised:
        lambda_app.handle(event, lambda_context)
    assert type(raised.value).__name__ == local["extensions"]["errorType"] == "ResponseTooLarge"
    assert "the response of action 'big' is over Lambda's 6291456-byte response limit" in local["message"]
    assert str(raised.value).split(" (request")[0] == local["message"].split(" (request")[0]


@pytest.mark.parametrize(
    ("raw_path", "key"),
    [("/files/a", "a"), ("/files/reports/2026/q4%20final.pdf", "reports/2026/q4 final.pdf")],
)
def test_GIVEN_a_greedy_path_WHEN_sent_THEN_both_give_the_action_the_rest_of_the_path(
    over_http: Callable[[str], Answer],
    to_handler: Callable[[dict[str, Any]], Answer],
    raw_path: str,
    key: str,
) -> None:
    encoded = raw_path.removeprefix("/files/")
    event = rest_event("/files/{key+}", raw_path, {"key": encoded}, {})
    assert over_http(raw_path) == to_handler(event) == (200, key)
    assert over_http("/files")[0] == 404  # a greedy parameter takes one segment or more


def test_GIVEN_a_greedy_route_THEN_openapi_names_its_parameter_without_the_plus(spec: AppSpec) -> None:
    from servey_cdk.openapi import openapi_document

    paths = openapi_document(spec)["paths"]
    assert "/files/{key}" in paths
    assert [p["name"] for p in paths["/files/{key}"]["get"]["parameters"]] == ["key"]
