"""The dashboard at `/_servey`: invocations with what they logged, queues and redrive, schedules, sockets."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.invocation_log import InvocationLog
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from tests.conftest import SECRET

APP = "tests.local.dashboard_app"
A_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """servey-local of the dashboard's app, in this process, its queues in memory."""
    from servey_cdk.aws.handler import LambdaApp

    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)
    registry = discover(APP)
    store = InMemoryConnectionStore()
    spec = build_spec(registry)
    runtime = LocalRuntime(spec, LambdaApp(registry, connections=store, spec=spec).handle, store)
    with TestClient(runtime.app) as test_client:
        yield test_client


def wait_for(read: Callable[[], Any], timeout_s: float = 10) -> Any:
    """`read()`'s first true answer."""
    deadline = time.monotonic() + timeout_s
    while not (answer := read()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return answer


def invocations_of(client: TestClient, action: str) -> list[dict[str, Any]]:
    every: list[dict[str, Any]] = client.get("/_servey/state").json()["invocations"]
    return [invocation for invocation in every if invocation["action"] == action]


def queue_of(client: TestClient) -> dict[str, Any]:
    queue: dict[str, Any] = client.get("/_servey/state").json()["queues"][0]
    return queue


def test_GIVEN_a_rest_request_THEN_its_invocation_is_listed_with_its_parameters_status_and_log_line(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    token = make_token("greeting", subject="ada")
    assert client.get(
        "/actions/greet", params={"name": "Ada"}, headers={"Authorization": f"Bearer {token}"}
    ).json()

    (invocation,) = wait_for(lambda: invocations_of(client, "greet"))
    assert {key: invocation[key] for key in ("source", "detail", "params", "caller", "status", "ok")} == {
        "source": "REST",
        "detail": "GET /actions/greet",
        "params": {"name": "Ada"},
        "caller": "ada [greeting]",
        "status": "200",
        "ok": True,
    }
    assert invocation["lines"] == [
        {"level": "WARNING", "logger": "tests.local.dashboard_app", "message": "greeting Ada"}
    ]
    assert invocation["duration_ms"] > 0
    assert invocation["error"] is None
    assert invocation["function"] == "greet"
    assert invocation["request_id"]


def test_GIVEN_an_action_that_raises_THEN_its_invocation_shows_the_error_and_its_traceback(
    client: TestClient,
) -> None:
    response = client.post("/actions/explode", json={"reason": "on purpose"})
    assert response.status_code == 500
    assert "on purpose" not in response.text

    (invocation,) = wait_for(lambda: invocations_of(client, "explode"))
    assert (invocation["status"], invocation["ok"]) == ("500", False)
    error = invocation["error"]
    assert (error["type"], error["message"]) == ("RuntimeError", "exploded: on purpose")
    assert 'raise RuntimeError(f"exploded: {reason}")' in error["traceback"]
    assert "dashboard_app.py" in error["traceback"]
    assert [line["level"] for line in invocation["lines"]] == ["ERROR"]


def test_GIVEN_secrets_in_parameters_and_log_lines_THEN_the_dashboard_shows_none_of_them(
    client: TestClient,
) -> None:
    body = {"user": "ada", "password": "hunter2", "note": f"token={A_JWT}"}
    assert client.post("/actions/sign-in", json=body).json() is True
    forged = {"Authorization": f"Bearer {A_JWT}"}
    assert client.post("/actions/sign-in", json=body, headers=forged).status_code == 401

    signed_in, refused = wait_for(lambda: len(shown := invocations_of(client, "sign_in")) == 2 and shown)
    state = client.get("/_servey/state").text
    assert "hunter2" not in state
    assert A_JWT not in state
    assert signed_in["params"]["body"] == {
        "user": "ada",
        "password": "[redacted]",
        "note": "token=[redacted]",
    }
    assert signed_in["lines"][0]["message"] == "signing in ada with note token=[redacted]"
    assert (refused["caller"], refused["status"]) == ("mallory", "401")  # what the token claims, refused


def test_GIVEN_a_dead_letter_WHEN_its_queue_is_redriven_THEN_it_is_delivered_again_and_succeeds(
    client: TestClient,
) -> None:
    job = f"job-{time.monotonic_ns()}"
    assert client.post("/actions/enqueue", json={"job": job}).json() is True
    queue = wait_for(lambda: (shown := queue_of(client))["dead_letter_depth"] and shown)
    assert (queue["name"], queue["action"], queue["depth"]) == ("jobs-work", "work", 0)
    assert [letter["body"] for letter in queue["dead_letters"]] == [f'"{job}"']
    failed = [item for item in invocations_of(client, "work") if item["params"] == [job]]
    assert failed[0]["source"] == "queue"
    assert failed[0]["status"] == "1 failed"
    assert "fails on its first delivery" in failed[0]["error"]["message"]

    assert client.post("/_servey/queues/jobs-work/redrive").json() == {"queue": "jobs-work", "moved": 1}

    wait_for(
        lambda: [item for item in invocations_of(client, "work") if item["params"] == [job] and item["ok"]]
    )
    queue = wait_for(lambda: (shown := queue_of(client))["depth"] == 0 and shown)
    assert (queue["dead_letter_depth"], queue["in_flight"], queue["delayed"]) == (0, 0, 0)
    assert client.post("/_servey/queues/jobs-work/redrive").json() == {"queue": "jobs-work", "moved": 0}


def test_GIVEN_an_unknown_queue_WHEN_redriven_THEN_the_answer_names_the_known_ones(
    client: TestClient,
) -> None:
    response = client.post("/_servey/queues/nope/redrive")
    assert response.status_code == 404
    assert response.json()["detail"] == "no queue 'nope' (known: jobs-work)"


def test_GIVEN_a_schedule_THEN_its_next_firing_is_shown_and_firing_it_now_is_listed(
    client: TestClient,
) -> None:
    (schedule,) = client.get("/_servey/state").json()["schedules"]
    assert (schedule["name"], schedule["action"], schedule["expression"]) == (
        "hourly",
        "hourly",
        "rate(1 hour)",
    )
    assert schedule["next"] is not None

    assert client.post("/_servey/schedules/hourly").json() == {"schedule": "hourly", "result": "done"}
    (invocation,) = wait_for(lambda: invocations_of(client, "hourly"))
    assert (invocation["source"], invocation["detail"], invocation["status"]) == ("schedule", "hourly", "ok")
    assert invocation["lines"][0]["message"] == "the hour has come"


def test_GIVEN_a_websocket_subscriber_THEN_its_connection_and_subscription_are_shown(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_json({"type": "subscribe", "subscription": "news"})
        assert websocket.receive_json()["type"] == "subscribed"
        (connection,) = client.get("/_servey/state").json()["connections"]
        assert (connection["caller"], connection["subscriptions"]) == (None, ["news"])
        assert [item["source"] for item in client.get("/_servey/state").json()["invocations"]] == [
            "websocket",
            "websocket",
        ]
    wait_for(lambda: client.get("/_servey/state").json()["connections"] == [])


def test_GIVEN_invocations_WHEN_asked_since_one_THEN_only_the_later_ones_come(client: TestClient) -> None:
    for name in ("one", "two", "three"):
        client.get("/actions/greet", params={"name": name})
    state = wait_for(
        lambda: len((shown := client.get("/_servey/state").json())["invocations"]) == 3 and shown
    )
    first = state["invocations"][0]["seq"]
    later = client.get("/_servey/state", params={"since": first}).json()
    assert [item["params"]["name"] for item in later["invocations"]] == ["two", "three"]
    assert later["latest"] == state["invocations"][-1]["seq"]
    assert client.get("/_servey/state", params={"since": "x"}).status_code == 422


def test_GIVEN_more_invocations_than_kept_THEN_the_oldest_are_dropped(client: TestClient) -> None:
    log = InvocationLog(build_spec(discover(APP)), limit=3)
    for number in range(5):
        capture = log.begin()
        log.end(capture, LambdaContext("hourly", 128, 3), {"servey_schedule": f"s{number}"}, None, None)
    assert [item["detail"] for item in log.since(0)] == ["s2", "s3", "s4"]


def test_GIVEN_the_page_THEN_it_maps_every_action_to_its_triggers_and_links_the_documents(
    client: TestClient,
) -> None:
    page = client.get("/_servey")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for text in (
        "REST GET /actions/greet",
        "queue jobs-work of subscription jobs",
        "schedule hourly: rate(1 hour)",
        "publishes to jobs",
        'href="/docs"',
        'href="/graphiql"',
        'href="/asyncapi.json"',
        '<script src="/_servey/dashboard.js"></script>',
    ):
        assert text in page.text
    script = client.get("/_servey/dashboard.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/_servey/state" in script.text
    assert client.get("/_servey/", follow_redirects=False).headers["location"] == "/_servey"
