"""API Gateway websocket $connect, $disconnect and $default frames."""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests.conftest import (
    WEBSOCKET_CONNECTION,
    FakeLambdaContext,
    load_event,
    websocket_connect_event,
    websocket_frame_event,
)

CONNECTION = WEBSOCKET_CONNECTION


@pytest.fixture
def store() -> InMemoryConnectionStore:
    return InMemoryConnectionStore()


@pytest.fixture
def ws_app(sample_registry: Registry, store: InMemoryConnectionStore) -> LambdaApp:
    return LambdaApp(sample_registry, connections=store)


def test_GIVEN_no_token_WHEN_connecting_THEN_accepted_as_anonymous(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext
) -> None:
    assert ws_app.handle(websocket_connect_event(None), context) == {"statusCode": 200}
    assert store.connections == {CONNECTION: None}


def test_GIVEN_a_valid_token_WHEN_connecting_THEN_the_connection_keeps_its_authorization(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext, make_token: Any
) -> None:
    ws_app.handle(websocket_connect_event(make_token(subject="alice")), context)
    assert getattr(store.connections[CONNECTION], "subject_id", None) == "alice"


def test_GIVEN_a_bad_token_WHEN_connecting_THEN_401(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext
) -> None:
    assert ws_app.handle(load_event("websocket_connect"), context)["statusCode"] == 401
    assert store.connections == {}


def test_GIVEN_a_connection_WHEN_disconnecting_THEN_it_is_forgotten(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext
) -> None:
    ws_app.handle(websocket_connect_event(None), context)
    ws_app.handle(websocket_frame_event({"type": "subscribe", "subscription": "messager"}), context)
    assert ws_app.handle(load_event("websocket_disconnect"), context) == {"statusCode": 200}
    assert (store.connections, store.subscribers("messager")) == ({}, [])


def test_GIVEN_a_subscribe_frame_WHEN_handled_THEN_the_connection_is_subscribed(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext
) -> None:
    ws_app.handle(websocket_connect_event(None), context)
    answer = ws_app.handle(load_event("websocket_default"), context)
    subscribed = {"type": "subscribed", "subscription": "messager", "connection_id": CONNECTION}
    assert json.loads(answer["body"]) == subscribed
    assert [subscriber.connection_id for subscriber in store.subscribers("messager")] == [CONNECTION]


def test_GIVEN_an_unsubscribe_frame_WHEN_handled_THEN_the_connection_is_unsubscribed(
    ws_app: LambdaApp, store: InMemoryConnectionStore, context: FakeLambdaContext
) -> None:
    ws_app.handle(websocket_connect_event(None), context)
    ws_app.handle(websocket_frame_event({"type": "subscribe", "subscription": "messager"}), context)
    ws_app.handle(websocket_frame_event({"type": "unsubscribe", "subscription": "messager"}), context)
    assert store.subscribers("messager") == []


def test_GIVEN_an_unknown_subscription_WHEN_subscribing_THEN_404(
    ws_app: LambdaApp, context: FakeLambdaContext
) -> None:
    ws_app.handle(websocket_connect_event(None), context)
    answer = ws_app.handle(websocket_frame_event({"type": "subscribe", "subscription": "nope"}), context)
    assert answer["statusCode"] == 404


@pytest.mark.parametrize("frame", ["not json", {"type": "dance", "subscription": "messager"}, ["subscribe"]])
def test_GIVEN_a_malformed_frame_WHEN_handled_THEN_422(
    ws_app: LambdaApp, context: FakeLambdaContext, frame: Any
) -> None:
    ws_app.handle(websocket_connect_event(None), context)
    assert ws_app.handle(websocket_frame_event(frame), context)["statusCode"] == 422
