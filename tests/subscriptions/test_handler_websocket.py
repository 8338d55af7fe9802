"""The Lambda handler on recorded API Gateway events, with its connections in (moto's) DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from servey_cdk.aws import handler as lambda_handler
from servey_cdk.aws.dynamodb_connections import CONNECTION_ITEM, DynamoDBConnectionStore
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.publisher import AwsPublisher
from servey_cdk.discovery import Registry
from servey_cdk.subscriptions import NoPublisher, set_publisher
from tests.conftest import (
    WEBSOCKET_CONNECTION,
    FakeLambdaContext,
    load_event,
    websocket_connect_event,
    websocket_frame_event,
)
from tests.subscriptions.conftest import TABLE, ManagementApi

CONNECTION = WEBSOCKET_CONNECTION


@pytest.fixture
def app(registry: Registry, store: DynamoDBConnectionStore) -> LambdaApp:
    return LambdaApp(registry, connections=store)


def frame(kind: str, subscription: str) -> Any:
    return websocket_frame_event({"type": kind, "subscription": subscription})


def answer(app: LambdaApp, event: Any) -> Any:
    return json.loads(app.handle(event, FakeLambdaContext())["body"])


def test_GIVEN_a_connection_WHEN_it_subscribes_and_disconnects_THEN_the_table_follows(
    app: LambdaApp, rows: Callable[[], set[tuple[str, str]]]
) -> None:
    app.handle(websocket_connect_event(None), FakeLambdaContext())
    subscribed = {"type": "subscribed", "subscription": "news", "connection_id": CONNECTION}
    assert answer(app, frame("subscribe", "news")) == subscribed
    assert rows() == {(CONNECTION, CONNECTION_ITEM), (CONNECTION, "news")}
    app.handle(load_event("websocket_disconnect"), FakeLambdaContext())
    assert rows() == set()


@pytest.mark.parametrize(
    ("token_scopes", "subscription", "status", "error"),
    [
        (None, "team_alerts", 401, "unauthorized"),
        ((), "team_alerts", 403, "forbidden"),
        (("alerts",), "audit", 403, "forbidden"),
        (("alerts",), "nope", 404, "not_found"),
    ],
)
def test_GIVEN_a_refused_subscribe_WHEN_handled_THEN_the_client_gets_an_error_frame(
    app: LambdaApp,
    make_token: Callable[..., str],
    rows: Callable[[], set[tuple[str, str]]],
    token_scopes: tuple[str, ...] | None,
    subscription: str,
    status: int,
    error: str,
) -> None:
    token = None if token_scopes is None else make_token(*token_scopes, subject="red")
    app.handle(websocket_connect_event(token), FakeLambdaContext())
    response = app.handle(frame("subscribe", subscription), FakeLambdaContext())
    body = json.loads(response["body"])
    assert response["statusCode"] == status
    assert (body["type"], body["error"], body["subscription"]) == ("error", error, subscription)
    assert subscription in body["detail"]
    assert rows() == {(CONNECTION, CONNECTION_ITEM)}


def test_GIVEN_a_token_with_the_scope_WHEN_subscribing_to_a_protected_subscription_THEN_accepted(
    app: LambdaApp, make_token: Callable[..., str]
) -> None:
    app.handle(websocket_connect_event(make_token("alerts", subject="red")), FakeLambdaContext())
    assert answer(app, frame("subscribe", "team_alerts"))["type"] == "subscribed"


def test_GIVEN_a_frame_that_is_not_json_WHEN_handled_THEN_the_error_frame_names_no_subscription(
    app: LambdaApp,
) -> None:
    app.handle(websocket_connect_event(None), FakeLambdaContext())
    event = load_event("websocket_default")
    event["body"] = "subscribe me"
    body = answer(app, event)
    assert (body["type"], body["error"], body["subscription"]) == ("error", "invalid_input", None)


@pytest.fixture
def on_lambda(
    monkeypatch: pytest.MonkeyPatch, dynamodb: Any, restore_publisher: None
) -> Iterator[dict[str, str]]:
    """The module-level handler as the constructs configure it on Lambda."""
    import boto3

    sqs = boto3.client("sqs")
    urls = {name: sqs.create_queue(QueueName=f"app-{name}")["QueueUrl"] for name in ("news", "audit")}
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "app-router",
        "SERVEY_ACTION_PATH": "tests.subscriptions.alerts_app",
        "SERVEY_CONNECTIONS_TABLE": TABLE,
        "SERVEY_WEBSOCKET_ENDPOINT": "https://ws1234abcd.execute-api.us-east-1.amazonaws.com/live",
        "SERVEY_QUEUE_NEWS_REJECT_NEWS": urls["news"],
        "SERVEY_QUEUE_AUDIT_RECORD_AUDIT": urls["audit"],
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SERVEY_FUNCTION", raising=False)
    lambda_handler.reset_default_app()
    yield urls
    lambda_handler.reset_default_app()


def test_GIVEN_lambda_WHEN_an_action_publishes_THEN_queues_and_subscribers_get_the_event(
    on_lambda: dict[str, str], management_api: ManagementApi
) -> None:
    import boto3

    lambda_handler.handler(websocket_connect_event(None), FakeLambdaContext())
    lambda_handler.handler(frame("subscribe", "news"), FakeLambdaContext())
    publisher = set_publisher(NoPublisher())
    assert isinstance(publisher, AwsPublisher)
    publisher.management_api = management_api
    set_publisher(publisher)

    request = load_event("apigw_rest_post_json")
    request.update(resource="/actions/announce", path="/actions/announce", body=json.dumps({"text": "hi"}))
    response = lambda_handler.handler(request, FakeLambdaContext())

    assert (response["statusCode"], response["body"]) == (200, "true")
    assert management_api.posts == {CONNECTION: [{"subscription": "news", "event": "hi"}]}
    sqs = boto3.client("sqs")
    bodies = {
        name: [m["Body"] for m in sqs.receive_message(QueueUrl=url).get("Messages", [])]
        for name, url in on_lambda.items()
    }
    assert bodies == {"news": ['"hi"'], "audit": ['"announced hi"']}
