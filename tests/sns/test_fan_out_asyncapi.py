"""The AsyncAPI document of a fan-out subscription: its SNS topic as a channel, the raw event and
its message attributes, and each linked queue with its filter policy in the operation's binding."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk.appspec_builder import build_spec
from servey_cdk.asyncapi import asyncapi_document
from servey_cdk.discovery import discover


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi_document(build_spec(discover("tests.sns.fan_out_app")))


def test_GIVEN_a_fan_out_THEN_its_topic_is_a_channel_on_the_sns_server_with_the_sns_binding(
    document: dict[str, Any],
) -> None:
    channel = document["channels"]["topic_order_events"]
    assert channel["servers"] == [{"$ref": "#/servers/sns"}]
    assert document["servers"]["sns"]["protocol"] == "sns"
    assert channel["bindings"]["sns"]["name"] == "order_events"
    assert document["channels"]["websocket"]["servers"] == [{"$ref": "#/servers/local"}]


def test_GIVEN_a_fan_out_THEN_the_message_is_the_raw_event_with_the_filtered_attributes_as_headers(
    document: dict[str, Any],
) -> None:
    message = document["components"]["messages"]["published_order_events"]
    assert message["payload"] == {"type": "object", "additionalProperties": True}
    assert list(message["headers"]["properties"]) == ["kind"]


def test_GIVEN_a_fan_out_THEN_the_operation_names_each_queue_raw_with_its_filter_policy(
    document: dict[str, Any],
) -> None:
    operation = document["operations"]["fan_out_order_events"]
    assert operation["channel"] == {"$ref": "#/channels/topic_order_events"}
    consumers = {c["endpoint"]["name"]: c for c in operation["bindings"]["sns"]["consumers"]}
    assert consumers["order_events-bill"]["filterPolicy"] == {"kind": ["placed"]}
    assert "filterPolicy" not in consumers["order_events-audit"]
    assert all(consumer["rawMessageDelivery"] is True for consumer in consumers.values())
