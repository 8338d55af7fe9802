"""Websockets: API Gateway's $connect, $default and $disconnect, and pushes to subscribers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from local_runtime import LocalRuntime
from local_runtime.lambda_context import LambdaContext
from local_runtime.websocket_api import connection_id
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.websocket import InMemoryConnectionStore
from tests.conftest import load_event

SUBSCRIBE = {"type": "subscribe", "subscription": "messager"}


def test_GIVEN_a_subscriber_WHEN_a_message_is_broadcast_THEN_it_receives_the_envelope(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text(json.dumps(SUBSCRIBE))
        subscribed = websocket.receive_json()
        assert (subscribed["type"], subscribed["subscription"]) == ("subscribed", "messager")
        sender = {"Authorization": f"Bearer {make_token('messages:send')}"}
        assert client.post("/actions/broadcast-message", json={"message": "to all"}, headers=sender).json()
        assert websocket.receive_json() == {"subscription": "messager", "event": "to all"}


def test_GIVEN_a_bad_frame_WHEN_sent_THEN_the_handlers_error_comes_back(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("not json")
        assert websocket.receive_json()["error"] == "invalid_input"


def test_GIVEN_an_invalid_token_WHEN_connecting_THEN_the_connection_is_refused(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws?token=bad") as websocket:
        websocket.receive_text()


def test_GIVEN_a_valid_token_WHEN_connecting_THEN_the_connection_is_accepted(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    with client.websocket_connect(f"/ws?token={make_token()}") as websocket:
        websocket.send_text(json.dumps(SUBSCRIBE))
        assert websocket.receive_json()["type"] == "subscribed"


def test_GIVEN_a_closed_connection_WHEN_it_closes_THEN_it_leaves_the_tables(
    client: TestClient, runtime: LocalRuntime
) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text(json.dumps(SUBSCRIBE))
        websocket.receive_json()
        assert len(runtime.connections) == 1
    assert len(runtime.connections) == 0
    assert runtime.store.subscribers("messager") == []


class RecordingFunction:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        self.events.append(event)
        return {"statusCode": 200}


def test_GIVEN_a_connection_WHEN_it_lives_THEN_the_function_gets_the_three_route_events(
    spec: AppSpec,
) -> None:
    function = RecordingFunction()
    runtime = LocalRuntime(spec, function, InMemoryConnectionStore(), password="pw")
    with TestClient(runtime.app) as client, client.websocket_connect("/ws?token=abc&token=def") as websocket:
        websocket.send_text("hello")
    connect, message, disconnect = function.events
    assert set(connect) == set(load_event("websocket_connect"))
    assert connect["queryStringParameters"] == {"token": "def"}
    assert connect["multiValueQueryStringParameters"] == {"token": ["abc", "def"]}
    assert set(message["requestContext"]) == set(load_event("websocket_default")["requestContext"])
    assert message["body"] == "hello"
    assert set(disconnect["requestContext"]) == set(load_event("websocket_disconnect")["requestContext"])
    ids = {event["requestContext"]["connectionId"] for event in function.events}
    assert len(ids) == 1
    assert [e["requestContext"]["routeKey"] for e in function.events] == [
        "$connect",
        "$default",
        "$disconnect",
    ]


def test_GIVEN_connection_ids_WHEN_made_THEN_they_have_api_gateways_form() -> None:
    made = connection_id()
    assert len(made) == 16
    assert made.endswith("=")


def test_GIVEN_two_subscribers_WHEN_an_event_is_published_to_the_id_one_learned_THEN_only_it_receives_it(
    client: TestClient, runtime: LocalRuntime
) -> None:
    from sample_app.subscriptions import messager

    with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
        for websocket in (first, second):
            websocket.send_text(json.dumps(SUBSCRIBE))
        own_id = first.receive_json()["connection_id"]
        assert second.receive_json()["connection_id"] != own_id
        assert own_id in runtime.connections
        messager.publish("just you", own_id)  # from outside any function, as a worker thread would
        assert first.receive_json() == {"subscription": "messager", "event": "just you"}
