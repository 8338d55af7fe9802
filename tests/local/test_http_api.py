"""servey-local for an app that chose the HTTP API: payload 2.0 events, over real HTTP.

GIVEN `tests.constructs.http_app` built with `api="http"`, served by uvicorn on a free port with a
handler that records each event before the Lambda handler takes it, WHEN requests arrive THEN each
function is sent the HTTP API's event (version 2.0, lowercase headers, cookies apart, the raw path
and query) and the answers are the HTTP API's; and `servey-local` itself reads `SERVEY_API`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

from local_runtime import LocalRuntime
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from servey_cdk.rehearsal.local_aws import free_port
from tests import servers

APP = "tests.constructs.http_app"


@dataclass
class Served:
    base: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def last(self) -> dict[str, Any]:
        return self.events[-1]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    registry = discover(APP)
    spec = build_spec(registry, BuildSettings(api="http"))
    lambda_app = LambdaApp(registry, spec=spec, connections=InMemoryConnectionStore())
    port = free_port()
    recorded = Served(f"http://127.0.0.1:{port}")

    def handler(event: Any, context: Any) -> Any:
        recorded.events.append(event)
        return lambda_app.handle(event, context)

    runtime = LocalRuntime(spec, handler, lambda_app.connections)
    server = uvicorn.Server(uvicorn.Config(runtime.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield recorded
    server.should_exit = True
    thread.join(timeout=10)


def test_GIVEN_a_route_with_a_path_parameter_THEN_its_function_gets_a_v2_event(served: Served) -> None:
    answer = httpx.get(
        f"{served.base}/notes/%37?tag=a&tag=b,c",
        headers={"X-Custom": "One", "Cookie": "theme=dark; session=abc"},
    )
    assert answer.status_code == 200
    assert answer.json() == {"note_id": 7, "text": "note 7"}
    assert answer.headers["apigw-requestid"]  # the HTTP API's request id header
    event = served.last()
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /notes/{note_id}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/notes/%37"
    assert event["rawQueryString"] == "tag=a&tag=b,c"
    assert event["queryStringParameters"] == {"tag": "a,b,c"}
    assert event["pathParameters"] == {"note_id": "%37"}  # as sent: the handler decodes it
    assert event["cookies"] == ["theme=dark", "session=abc"]
    assert event["headers"]["x-custom"] == "One"
    assert all(name == name.lower() for name in event["headers"])
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["stage"] == "$default"
    assert "body" not in event
    assert "httpMethod" not in event


def test_GIVEN_a_greedy_route_THEN_the_rest_of_the_path_is_its_parameter(served: Served) -> None:
    answer = httpx.get(f"{served.base}/files/reports/2026/q4.pdf")
    assert answer.json() == {"key": "reports/2026/q4.pdf"}
    assert served.last()["routeKey"] == "GET /files/{key+}"


def test_GIVEN_a_post_THEN_the_body_is_the_events_and_the_answers_cookies_are_set_cookie_headers(
    served: Served,
) -> None:
    answer = httpx.post(f"{served.base}/notes", json={"text": "hi"})
    assert answer.status_code == 201
    assert answer.headers["location"] == "/notes/1"
    assert answer.headers.get_list("set-cookie") == ["last_note=1; HttpOnly; Secure; SameSite=Lax"]
    event = served.last()
    assert event["body"] == '{"text":"hi"}'
    assert event["isBase64Encoded"] is False
    assert event["headers"]["content-type"] == "application/json"


def test_GIVEN_another_method_of_a_known_path_THEN_the_default_routes_function_answers_405(
    served: Served,
) -> None:
    answer = httpx.delete(f"{served.base}/notes/7")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, OPTIONS"
    assert answer.json()["error"] == "method_not_allowed"
    assert served.last()["routeKey"] == "$default"
    assert "pathParameters" not in served.last()


def test_GIVEN_a_path_no_route_takes_THEN_the_default_routes_function_answers_404(served: Served) -> None:
    answer = httpx.get(f"{served.base}/no/such/route")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    assert served.last()["rawPath"] == "/no/such/route"


def test_GIVEN_a_missing_required_query_parameter_THEN_the_action_answers_422_as_an_http_api_has_no_validator(
    served: Served,
) -> None:
    answer = httpx.get(f"{served.base}/actions/greet")
    assert answer.status_code == 422
    assert answer.json()["detail"] == [{"loc": ["name"], "msg": "Field required", "type": "missing"}]
    assert served.last()["routeKey"] == "GET /actions/greet"


def test_GIVEN_a_route_that_needs_a_scope_WHEN_no_token_is_sent_THEN_the_runtime_answers_401(
    served: Served,
) -> None:
    answer = httpx.get(f"{served.base}/actions/admin-secret")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"] == "unauthorized"


def test_GIVEN_servey_local_WHEN_SERVEY_API_is_http_THEN_it_emulates_the_http_api() -> None:
    with servers.servey_local(["--app", APP], {"SERVEY_API": "http"}) as (base, _):
        refused = httpx.delete(f"{base}/notes/7")
        missing = httpx.get(f"{base}/actions/greet")
    assert refused.status_code == 405
    assert "apigw-requestid" in refused.headers
    assert "x-amzn-requestid" not in refused.headers
    assert missing.json()["detail"][0]["msg"] == "Field required"  # the action's, not a validator's
