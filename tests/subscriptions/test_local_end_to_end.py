"""servey-local over real sockets: uvicorn on a free port, `websockets` clients, httpx requests."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.sync.client import ClientConnection, connect

from local_runtime import LocalRuntime
from sample_app.messaging import RECORDED
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover
from tests.subscriptions.alerts_app import AUDITED, team_alerts

TIMEOUT_S = 5


@dataclasses.dataclass(frozen=True)
class Server:
    runtime: LocalRuntime
    base: str
    token: str | None = None  # sent with every post

    def websocket(self, token: str | None = None) -> ClientConnection:
        query = f"?token={token}" if token else ""
        return connect(f"ws://{self.base}/ws{query}", open_timeout=TIMEOUT_S)

    def post(self, path: str, body: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.post(f"http://{self.base}{path}", json=body, headers=headers, timeout=TIMEOUT_S).json()


@contextmanager
def serving(app_module: str, retry_at_once: bool = False) -> Iterator[Server]:
    """The app on servey-local in a thread; `retry_at_once` makes failed queue messages visible at once."""
    registry = discover(app_module)
    spec = build_spec(registry)
    if retry_at_once:
        queues = tuple(dataclasses.replace(queue, visibility_timeout=0) for queue in spec.queues)
        spec = dataclasses.replace(spec, queues=queues)
    store = InMemoryConnectionStore()
    runtime = LocalRuntime(spec, LambdaApp(registry, connections=store).handle, store, password="pw")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(runtime.app, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    try:
        yield Server(runtime, f"127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(TIMEOUT_S)


def wait_for(condition: Callable[[], Any]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def subscribe(websocket: ClientConnection, name: str) -> Any:
    websocket.send(json.dumps({"type": "subscribe", "subscription": name}))
    return receive(websocket)


def receive(websocket: ClientConnection) -> Any:
    return json.loads(websocket.recv(timeout=TIMEOUT_S))


# One server at a time: a runtime installs its publisher for the whole process, as on Lambda.
@pytest.fixture
def sample(make_token: Callable[..., str]) -> Iterator[Server]:
    with serving("sample_app") as server:
        token = make_token("messages:send", subject="sender")  # broadcasts need it
        yield dataclasses.replace(server, token=token)


@pytest.fixture
def alerts() -> Iterator[Server]:
    with serving("tests.subscriptions.alerts_app", retry_at_once=True) as server:
        yield server


def test_GIVEN_a_subscriber_WHEN_broadcast_message_is_posted_THEN_it_receives_the_envelope(
    sample: Server,
) -> None:
    with sample.websocket() as websocket:
        subscribed = subscribe(websocket, "messager")
        assert (subscribed["type"], subscribed["subscription"]) == ("subscribed", "messager")
        assert sample.post("/actions/broadcast-message", {"message": "to all"}) is True
        assert receive(websocket) == {"subscription": "messager", "event": "to all"}


def test_GIVEN_a_broadcast_WHEN_the_emulated_queue_delivers_THEN_the_linked_action_records_it(
    sample: Server,
) -> None:
    sample.post("/actions/broadcast-message", {"message": "for the record"})
    wait_for(lambda: "for the record" in RECORDED)


def test_GIVEN_two_subscribers_WHEN_posted_to_one_connection_THEN_only_it_receives(sample: Server) -> None:
    with sample.websocket() as first:
        subscribe(first, "messager")
        (first_id,) = [s.connection_id for s in sample.runtime.store.subscribers("messager")]
        with sample.websocket() as second:
            subscribe(second, "messager")
            sample.post("/actions/broadcast-message", {"message": "only you", "connection_id": first_id})
            sample.post("/actions/broadcast-message", {"message": "everyone"})
            assert [receive(first)["event"], receive(first)["event"]] == ["only you", "everyone"]
            assert receive(second)["event"] == "everyone"


def test_GIVEN_no_token_WHEN_subscribing_to_a_protected_subscription_THEN_an_error_frame_comes_back(
    alerts: Server,
) -> None:
    with alerts.websocket() as websocket:
        refused = subscribe(websocket, "team_alerts")
    assert refused == {
        "type": "error",
        "error": "unauthorized",
        "detail": "subscription 'team_alerts' needs a token on $connect",
        "subscription": "team_alerts",
        "request_id": refused["request_id"],
    }


def test_GIVEN_an_event_filter_WHEN_published_THEN_only_the_subscribers_it_accepts_receive(
    alerts: Server, make_token: Callable[..., str]
) -> None:
    red, blue = (
        alerts.websocket(make_token("alerts", subject="red")),
        alerts.websocket(make_token("alerts", subject="blue")),
    )
    with red, blue:
        subscribe(red, "team_alerts")
        subscribe(blue, "team_alerts")
        team_alerts.publish({"team": "blue", "text": "first"})
        team_alerts.publish({"team": "red", "text": "second"})
        assert receive(red)["event"] == {"team": "red", "text": "second"}
        assert receive(blue)["event"] == {"team": "blue", "text": "first"}


def test_GIVEN_a_failing_linked_action_WHEN_published_THEN_it_is_retried_then_dead_lettered(
    alerts: Server,
) -> None:
    assert alerts.post("/actions/announce", {"text": "doomed"}) is True

    def news_queue() -> Any:
        queues = httpx.get(f"http://{alerts.base}/_servey/queues").json()["queues"]
        return next(queue for queue in queues if queue["name"] == "news-reject_news")

    wait_for(lambda: news_queue()["dead_letters"])
    (dead,) = news_queue()["dead_letters"]
    assert (json.loads(dead["body"]), dead["receiveCount"], news_queue()["depth"]) == ("doomed", 2, 0)
    wait_for(lambda: "announced doomed" in AUDITED)


def test_GIVEN_a_subscriber_whose_socket_is_gone_WHEN_published_THEN_it_is_removed_from_the_store(
    sample: Server,
) -> None:
    store = sample.runtime.store
    store.connect("ghost", None)
    store.subscribe("ghost", "messager", None)
    with sample.websocket() as websocket:
        subscribe(websocket, "messager")
        assert sample.post("/actions/broadcast-message", {"message": "anyone there?"}) is True
        assert receive(websocket)["event"] == "anyone there?"
    assert "ghost" not in [subscriber.connection_id for subscriber in store.subscribers("messager")]


def test_GIVEN_an_action_that_does_not_declare_a_subscription_WHEN_it_publishes_THEN_it_is_refused(
    alerts: Server,
) -> None:
    """`gossip` publishes to `news` exactly as `announce` does, but without `publishes=news`."""
    assert alerts.post("/actions/announce", {"text": "declared"}) is True
    response = httpx.post(f"http://{alerts.base}/actions/gossip", json={"text": "psst"}, timeout=TIMEOUT_S)
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
