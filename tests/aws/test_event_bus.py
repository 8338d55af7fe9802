"""put_event on Lambda: PutEvents through boto3 against moto, on the bus the constructs name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from servey_cdk.aws.event_bus import AwsEventSender, EventPutFailed
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import discover
from servey_cdk.event_bus import EventEntry, set_event_sender
from tests.conftest import FakeLambdaContext

APP = "tests.eventbridge.shop_app"
DEPLOYED_BUS = "ShopApp-AppEventRules-shop"  # what SERVEY_EVENT_BUS_SHOP says on Lambda


@pytest.fixture
def heard(aws: None) -> Any:
    """A queue that a rule on each bus feeds with every event put there, read by `heard()`."""
    import boto3

    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name=DEPLOYED_BUS)
    url = sqs.create_queue(QueueName="heard")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for bus in ("default", DEPLOYED_BUS):
        events.put_rule(Name=f"all-{bus}", EventBusName=bus, EventPattern=json.dumps({"version": ["0"]}))
        events.put_targets(Rule=f"all-{bus}", EventBusName=bus, Targets=[{"Id": "heard", "Arn": arn}])

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return received


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, heard: Any) -> Iterator[LambdaApp]:
    """The test app's functions as Lambda starts them: its sender made from the shipped spec."""
    monkeypatch.setenv("SERVEY_EVENT_BUS_SHOP", DEPLOYED_BUS)
    lambda_app = LambdaApp(discover(APP))
    previous = set_event_sender(AwsEventSender.from_environment(lambda_app.runtime.spec))
    yield lambda_app
    set_event_sender(previous)


def test_GIVEN_an_action_declaring_the_apps_bus_WHEN_it_puts_THEN_the_event_is_on_the_deployed_bus(
    app: LambdaApp, heard: Any, context: FakeLambdaContext
) -> None:
    event_id = app.handle({"action": "place_order", "params": {"order_id": 9, "total": 150.0}}, context)
    (event,) = heard()
    assert (event["id"], event["source"], event["detail-type"]) == (event_id, "shop.orders", "Order Placed")
    assert event["detail"] == {"order_id": 9, "total": 150.0}


def test_GIVEN_the_default_bus_WHEN_an_action_puts_without_a_source_THEN_the_apps_module_is_the_source(
    app: LambdaApp, heard: Any, context: FakeLambdaContext
) -> None:
    app.handle({"action": "announce", "params": {"text": "open"}}, context)
    (event,) = heard()
    assert (event["source"], event["detail"]) == (APP, {"text": "open"})


def test_GIVEN_an_undeclared_bus_WHEN_an_action_puts_THEN_nothing_is_sent_and_the_invoke_fails(
    app: LambdaApp, heard: Any, context: FakeLambdaContext, caplog: pytest.LogCaptureFixture
) -> None:
    answer = app.handle({"action": "sneak_order", "params": {"order_id": 9}}, context)
    assert answer["errorType"] == "InternalError"
    assert "action 'sneak_order' may not put events to bus 'shop'" in caplog.text
    assert heard() == []


def test_GIVEN_an_entry_eventbridge_fails_WHEN_sent_THEN_the_error_names_the_entry_and_its_code(
    app: LambdaApp, heard: Any
) -> None:
    sender = AwsEventSender.from_environment(app.runtime.spec)
    refused = r"event 'Broken' from 'shop\.orders' on bus 'default': Malformed"
    with pytest.raises(EventPutFailed, match=refused):
        sender.send(EventEntry("shop.orders", "Broken", "{not json", "default"))
    assert heard() == []


def test_GIVEN_a_function_not_given_the_bus_name_WHEN_it_puts_THEN_the_missing_variable_is_named(
    app: LambdaApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVEY_EVENT_BUS_SHOP")
    sender = AwsEventSender.from_environment(app.runtime.spec)
    with pytest.raises(RuntimeError, match="SERVEY_EVENT_BUS_SHOP is not set in this function"):
        sender.send(EventEntry("shop.orders", "Order Placed", "{}", "shop"))
