"""A fan-out subscription on Lambda: one SNS publish, delivered raw by SNS (moto's) to each linked
queue whose filter policy the message attributes pass."""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.publisher import AwsPublisher
from servey_cdk.discovery import discover
from servey_cdk.wire import TOPIC_PREFIX, environment_name
from tests.sns.fan_out_app import order_events

QUEUES = ("order_events-bill", "order_events-audit")


@pytest.fixture
def wired(aws: None, monkeypatch: pytest.MonkeyPatch) -> tuple[AwsPublisher, Any, dict[str, str]]:
    """The topic and queues as the constructs wire them, and the publisher as its function makes it."""
    import boto3

    spec = build_spec(discover("tests.sns.fan_out_app"))
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic_arn = sns.create_topic(Name="app-order_events")["TopicArn"]
    urls = {}
    for item in spec.queues:
        urls[item.name] = url = sqs.create_queue(QueueName=f"app-{item.name}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        attributes = {"RawMessageDelivery": "true"}
        if item.filter_policy:
            attributes["FilterPolicy"] = json.dumps(item.filter_policy)
        sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["QueueArn"], Attributes=attributes
        )
    monkeypatch.setenv(environment_name(TOPIC_PREFIX, "order_events"), topic_arn)
    shipped = json.loads(spec.shipped().to_json())
    publisher = AwsPublisher.from_environment(shipped, store=None)
    publisher.sns = sns
    publisher.sqs = None  # a fan-out sends to no queue itself
    return publisher, sqs, urls


def _received(sqs: Any, url: str) -> list[tuple[Any, dict[str, Any]]]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return [
        (json.loads(message["Body"]), message.get("MessageAttributes", {}))
        for message in found.get("Messages", [])
    ]


def test_GIVEN_attributes_the_filter_passes_WHEN_published_THEN_both_queues_get_the_raw_event(
    wired: tuple[AwsPublisher, Any, dict[str, str]],
) -> None:
    publisher, sqs, urls = wired
    publisher.publish(order_events, {"order_id": 1, "kind": "placed"}, None, {"kind": "placed", "n": 2})
    for name in QUEUES:
        ((body, attributes),) = _received(sqs, urls[name])
        assert body == {"order_id": 1, "kind": "placed"}
        assert attributes["kind"] == {"StringValue": "placed", "DataType": "String"}
        assert attributes["n"] == {"StringValue": "2", "DataType": "Number"}


def test_GIVEN_attributes_the_filter_refuses_WHEN_published_THEN_only_the_unfiltered_queue_gets_it(
    wired: tuple[AwsPublisher, Any, dict[str, str]],
) -> None:
    publisher, sqs, urls = wired
    publisher.publish(order_events, {"order_id": 2, "kind": "shipped"}, None, {"kind": "shipped"})
    assert _received(sqs, urls["order_events-bill"]) == []
    assert [body for body, _ in _received(sqs, urls["order_events-audit"])] == [
        {"order_id": 2, "kind": "shipped"}
    ]


def test_GIVEN_no_topic_arn_in_the_environment_WHEN_published_THEN_it_fails_naming_the_variable() -> None:
    publisher = AwsPublisher({"order_events": []}, None, None, topics={"order_events": None})
    with pytest.raises(RuntimeError, match="SERVEY_TOPIC_ORDER_EVENTS is not set"):
        publisher.publish(order_events, {"order_id": 3}, None, {})
