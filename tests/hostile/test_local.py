"""Hostile input through servey-local, over HTTP and websockets: refused early, as AWS refuses it.

GIVEN the emulator serving the hostile app through its real Lambda handler
WHEN a client sends what an attacker would (scalar or deep bodies, huge bodies and
URLs, abusive GraphQL, over-size websocket messages, a subscriber that never reads)
THEN each is refused with AWS's status, no function runs for what is refused early,
and everyone else is still served.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import ValidationContext, ValidationRule
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from local_runtime import LocalRuntime
from local_runtime.graphql_api import MAX_REQUEST_BYTES, GraphQLApi
from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from local_runtime.login import MAX_FORM_BYTES
from local_runtime.websocket_protocol import MAX_MESSAGE_BYTES, MAX_URL_BYTES
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from servey_cdk.graphql_limits import GraphQLLimits
from tests.hostile.conftest import TOO_DEEP, nested

ANONYMOUS = {"Authorization": "anonymous"}


class CountingHandler:
    """The app's handler, counting the resolver events it is sent."""

    def __init__(self, app: LambdaApp) -> None:
        self.app = app
        self.resolver_events = 0

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        if isinstance(event, dict) and "info" in event:
            self.resolver_events += 1
        return self.app.handle(event, context)


@dataclasses.dataclass
class Served:
    client: TestClient
    handler: CountingHandler


def serve(spec: AppSpec, app: LambdaApp) -> Iterator[Served]:
    handler = CountingHandler(app)
    runtime = LocalRuntime(spec, handler, app.connections, password="pw")
    with TestClient(runtime.app) as client:
        yield Served(client, handler)


@pytest.fixture
def served(registry: Registry, app: LambdaApp) -> Iterator[Served]:
    yield from serve(build_spec(registry), app)


@pytest.fixture
def tightly_limited(registry: Registry, app: LambdaApp) -> Iterator[Served]:
    spec = build_spec(registry)
    assert spec.graphql is not None
    limits = GraphQLLimits(depth=3, resolvers=3, fields=20, aliases=10)
    yield from serve(dataclasses.replace(spec, graphql=dataclasses.replace(spec.graphql, limits=limits)), app)


def graphql(served: Served, query: str, variables: dict[str, Any] | None = None) -> Any:
    return served.client.post("/graphql", json={"query": query, "variables": variables}, headers=ANONYMOUS)


def aliased(count: int) -> str:
    return "{ " + " ".join(f'a{index}: echo(text: "x")' for index in range(count)) + " }"


def test_GIVEN_a_json_number_as_a_one_model_body_WHEN_served_THEN_422(served: Served) -> None:
    answer = served.client.post("/notes", content="0", headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][0] == "note"


def test_GIVEN_a_deep_body_WHEN_served_THEN_422(served: Served) -> None:
    body = '{"document": ' + nested(TOO_DEEP) + "}"
    answer = served.client.post("/documents", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "too_deep"


def test_GIVEN_deep_graphql_variables_WHEN_served_THEN_an_error_of_the_field(served: Served) -> None:
    query = "mutation ($d: AWSJSON!) { store_document(document: $d) }"
    answer = graphql(served, query, {"d": nested(TOO_DEEP)}).json()
    assert answer["data"] is None
    assert "nested deeper than" in answer["errors"][0]["message"]


def test_GIVEN_ten_thousand_aliases_WHEN_served_THEN_refused_before_any_function_runs(served: Served) -> None:
    answer = graphql(served, aliased(10_000))
    assert answer.status_code == 200
    assert answer.json()["errors"][0]["extensions"]["errorType"] == "QueryLimitExceeded"
    assert served.handler.resolver_events == 0


def test_GIVEN_one_alias_over_the_limit_WHEN_served_THEN_refused(served: Served) -> None:
    answer = graphql(served, aliased(GraphQLLimits().aliases + 1)).json()
    assert "aliases" in answer["errors"][0]["message"]
    assert served.handler.resolver_events == 0


def test_GIVEN_a_query_over_the_size_limit_WHEN_served_THEN_refused(served: Served) -> None:
    query = "{ echo(text: \"" + "x" * GraphQLLimits().query_bytes + "\") }"
    answer = graphql(served, query).json()
    assert "bytes" in answer["errors"][0]["message"]
    assert served.handler.resolver_events == 0


def test_GIVEN_a_request_body_over_the_limit_WHEN_served_THEN_413_unread(served: Served) -> None:
    headers = {**ANONYMOUS, "Content-Type": "application/json"}
    answer = served.client.post("/graphql", content=b"x" * (MAX_REQUEST_BYTES + 1), headers=headers)
    assert answer.status_code == 413


def test_GIVEN_a_login_form_over_the_limit_WHEN_served_THEN_413(served: Served) -> None:
    answer = served.client.post("/login", data={"username": "u", "password": "p" * MAX_FORM_BYTES})
    assert answer.status_code == 413


def test_GIVEN_a_url_over_cloudfronts_limit_WHEN_served_THEN_414(served: Served) -> None:
    answer = served.client.get("/echo?text=" + "x" * MAX_URL_BYTES)
    assert answer.status_code == 414


def test_GIVEN_tight_graphql_limits_THEN_depth_fields_and_aliases_each_have_their_limit(
    tightly_limited: Served,
) -> None:
    deep = "{ __schema { types { fields { type { name } } } } }"
    assert "levels deep" in graphql(tightly_limited, deep).json()["errors"][0]["message"]
    assert "aliases" in graphql(tightly_limited, aliased(11)).json()["errors"][0]["message"]
    many_fields = "{ " + "__typename " * 21 + "}"
    assert "fields" in graphql(tightly_limited, many_fields).json()["errors"][0]["message"]
    at_the_limit = graphql(tightly_limited, "{ " + "__typename " * 20 + "}").json()
    assert at_the_limit == {"data": {"__typename": "Query"}}


def test_GIVEN_tight_graphql_limits_WHEN_resolvers_pass_the_count_THEN_they_fail_as_on_appsync(
    tightly_limited: Served,
) -> None:
    answer = graphql(tightly_limited, aliased(5)).json()
    assert answer["data"] == {"a0": "x", "a1": "x", "a2": "x", "a3": None, "a4": None}
    assert [error["message"] for error in answer["errors"]] == ["the query runs over 3 resolvers"] * 2
    assert tightly_limited.handler.resolver_events == 3


def test_GIVEN_a_websocket_message_over_128_kb_WHEN_served_THEN_the_connection_closes_with_1009(
    served: Served,
) -> None:
    with served.client.websocket_connect("/ws") as websocket:
        websocket.send_text("x" * (MAX_MESSAGE_BYTES + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert closed.value.code == 1009


def test_GIVEN_a_deep_websocket_frame_WHEN_served_THEN_an_error_frame_answers_it(served: Served) -> None:
    with served.client.websocket_connect("/ws") as websocket:
        websocket.send_text(nested(TOO_DEEP))
        answer = json.loads(websocket.receive_text())
    assert answer["type"] == "error"


def test_GIVEN_a_graphql_query_WHEN_served_THEN_it_is_parsed_and_validated_off_the_event_loop(
    registry: Registry, app: LambdaApp
) -> None:
    """So a heavy query never holds up the other requests the loop is serving."""
    spec = build_spec(registry)
    assert spec.graphql is not None
    api = GraphQLApi(spec.graphql, FunctionInvoker(spec, app.handle))
    threads: dict[str, int] = {}

    class RecordThread(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            threads["validation"] = threading.get_ident()

    async def loop_thread(_: Request) -> Response:
        threads["loop"] = threading.get_ident()
        return Response()

    api.rules = [*api.rules, RecordThread]
    site = Starlette(routes=[Route("/graphql", api.endpoint, methods=["POST"]), Route("/loop", loop_thread)])
    with TestClient(site) as client:
        client.get("/loop")
        answer = client.post("/graphql", json={"query": '{ echo(text: "x") }'}, headers=ANONYMOUS)
    assert answer.json() == {"data": {"echo": "x"}}
    assert threads["validation"] != threads["loop"]
