"""AwsPublisher: linked actions' SQS queues first, then websocket subscribers through the management API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.appspec_builder import build_spec
from servey_cdk.authorization import Authorization
from servey_cdk.aws.dynamodb_connections import DynamoDBConnectionStore
from servey_cdk.aws.publisher import AwsPublisher
from servey_cdk.errors import NotFound
from tests.subscriptions.alerts_app import audit, news, team_alerts
from tests.subscriptions.conftest import ManagementApi

ENDPOINT = "https://ws1234abcd.execute-api.us-east-1.amazonaws.com/live"


@pytest.fixture
def sqs(aws: None) -> Any:
    import boto3

    return boto3.client("sqs")


@pytest.fixture
def queue_urls(sqs: Any) -> dict[str, str]:
    return {
        name: sqs.create_queue(QueueName=f"app-{name}")["QueueUrl"]
        for name in ("news-reject_news", "audit-record_audit")
    }


@pytest.fixture
def publisher(
    store: DynamoDBConnectionStore, management_api: ManagementApi, sqs: Any, queue_urls: dict[str, str]
) -> AwsPublisher:
    queues = {
        "news": [("news-reject_news", queue_urls["news-reject_news"])],
        "audit": [("audit-record_audit", queue_urls["audit-record_audit"])],
    }
    return AwsPublisher(queues, store, ENDPOINT, sqs=sqs, management_api=management_api)


def subscribe(store: DynamoDBConnectionStore, connection_id: str, name: str, who: str | None = None) -> None:
    authorization = Authorization(subject_id=who) if who else None
    store.connect(connection_id, authorization)
    store.subscribe(connection_id, name, authorization)


def received(sqs: Any, url: str) -> list[Any]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_GIVEN_subscribers_WHEN_published_to_all_THEN_each_gets_the_envelope(
    publisher: AwsPublisher, store: DynamoDBConnectionStore, management_api: ManagementApi
) -> None:
    subscribe(store, "c1", "news")
    subscribe(store, "c2", "news")
    subscribe(store, "c3", "team_alerts", "a")
    publisher.publish(news, "hello", None)
    assert management_api.posts == {
        "c1": [{"subscription": "news", "event": "hello"}],
        "c2": [{"subscription": "news", "event": "hello"}],
    }


def test_GIVEN_a_connection_id_WHEN_published_THEN_only_that_connection_gets_it(
    publisher: AwsPublisher, store: DynamoDBConnectionStore, management_api: ManagementApi
) -> None:
    subscribe(store, "c1", "news")
    subscribe(store, "c2", "news")
    publisher.publish(news, "just you", "c2")
    assert management_api.posts == {"c2": [{"subscription": "news", "event": "just you"}]}


def test_GIVEN_an_event_filter_WHEN_published_THEN_it_decides_with_each_subscribers_authorization(
    publisher: AwsPublisher, store: DynamoDBConnectionStore, management_api: ManagementApi
) -> None:
    subscribe(store, "c1", "team_alerts", "red")
    subscribe(store, "c2", "team_alerts", "blue")
    subscribe(store, "c3", "team_alerts", None)
    publisher.publish(team_alerts, {"team": "red", "text": "fire"}, None)
    assert list(management_api.posts) == ["c1"]


def test_GIVEN_a_gone_connection_WHEN_published_THEN_it_is_deleted_and_the_others_still_get_it(
    publisher: AwsPublisher, store: DynamoDBConnectionStore, management_api: ManagementApi
) -> None:
    subscribe(store, "c1", "news")
    subscribe(store, "c2", "news")
    management_api.gone.add("c1")
    publisher.publish(news, "hello", None)
    assert list(management_api.posts) == ["c2"]
    assert [subscriber.connection_id for subscriber in store.subscribers("news")] == ["c2"]
    with pytest.raises(NotFound):
        store.authorization("c1")


def test_GIVEN_a_linked_action_WHEN_published_THEN_its_queue_gets_the_json_event(
    publisher: AwsPublisher, sqs: Any, queue_urls: dict[str, str]
) -> None:
    publisher.publish(news, "queued", None)
    assert received(sqs, queue_urls["news-reject_news"]) == ["queued"]
    assert received(sqs, queue_urls["audit-record_audit"]) == []


def test_GIVEN_a_subscription_nobody_may_subscribe_to_WHEN_published_THEN_only_its_queue_gets_it(
    store: DynamoDBConnectionStore, sqs: Any, queue_urls: dict[str, str], management_api: ManagementApi
) -> None:
    queues = {"audit": [("audit-record_audit", queue_urls["audit-record_audit"])]}
    publisher = AwsPublisher(queues, None, None, sqs=sqs, management_api=management_api)
    publisher.publish(audit, "entry", "c1")
    assert received(sqs, queue_urls["audit-record_audit"]) == ["entry"]
    assert management_api.posts == {}


def test_GIVEN_a_linked_queue_without_its_url_WHEN_published_THEN_it_fails_before_sending_anything(
    store: DynamoDBConnectionStore, sqs: Any, queue_urls: dict[str, str], management_api: ManagementApi
) -> None:
    subscribe(store, "c1", "news")
    queues = {"news": [("news-other", queue_urls["news-reject_news"]), ("news-reject_news", None)]}
    publisher = AwsPublisher(queues, store, ENDPOINT, sqs=sqs, management_api=management_api)
    with pytest.raises(RuntimeError, match="SERVEY_QUEUE_NEWS_REJECT_NEWS"):
        publisher.publish(news, "hello", None)
    assert received(sqs, queue_urls["news-reject_news"]) == []
    assert management_api.posts == {}


def test_GIVEN_the_constructs_environment_WHEN_the_publisher_is_made_THEN_it_finds_each_linked_queue(
    monkeypatch: pytest.MonkeyPatch, registry: Any
) -> None:
    monkeypatch.setenv("SERVEY_QUEUE_NEWS_REJECT_NEWS", "https://sqs/news")
    monkeypatch.delenv("SERVEY_QUEUE_AUDIT_RECORD_AUDIT", raising=False)
    monkeypatch.setenv("SERVEY_WEBSOCKET_ENDPOINT", ENDPOINT)
    publisher = AwsPublisher.from_environment(build_spec(registry).to_dict(), None)
    assert publisher.queues == {
        "news": [("news-reject_news", "https://sqs/news")],
        "audit": [("audit-record_audit", None)],
        "team_alerts": [],
    }
    assert publisher.endpoint == ENDPOINT


def test_GIVEN_a_fifo_queue_WHEN_equal_events_are_published_THEN_each_arrives_in_order_in_one_group(
    sqs: Any,
) -> None:
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    url = sqs.create_queue(QueueName="app-audit-record_audit.fifo", Attributes=attributes)["QueueUrl"]
    publisher = AwsPublisher({"audit": [("audit-record_audit", url)]}, None, None, sqs=sqs)
    for entry in ("same", "same", "other"):
        publisher.publish(audit, entry, None)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [json.loads(message["Body"]) for message in messages] == ["same", "same", "other"]
    assert {message["Attributes"]["MessageGroupId"] for message in messages} == {"audit"}
