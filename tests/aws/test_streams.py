"""DynamoDB stream batches routed to the action whose TableStreamTrigger names the record's table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.streams import table_of
from servey_cdk.discovery import discover
from tests.conftest import FakeLambdaContext, load_event
from tests.constructs import resources_app

DEPLOYED = "ResourcesApp-OrdersTable-1A2B3C"  # the table name of the recorded batch


@pytest.fixture
def stream_app(monkeypatch: pytest.MonkeyPatch) -> LambdaApp:
    monkeypatch.setenv("SERVEY_TABLE_ORDERS", DEPLOYED)
    resources_app.CHANGES.clear()
    return LambdaApp(discover("tests.constructs.resources_app"))


def test_GIVEN_a_stream_batch_WHEN_handled_THEN_each_record_reaches_the_action_in_order_as_plain_values(
    stream_app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert stream_app.handle(load_event("dynamodb/stream_orders"), context) == {"batchItemFailures": []}
    keys = {"customer": "ada", "placed_at": Decimal(2)}
    assert [change["event_name"] for change in resources_app.CHANGES] == ["INSERT", "MODIFY", "REMOVE"]
    assert resources_app.CHANGES[0] == {
        "event_name": "INSERT",
        "keys": keys,
        "new_image": {**keys, "status": "open", "total": Decimal("12.50")},
    }
    assert resources_app.CHANGES[2]["new_image"] is None


def test_GIVEN_a_record_the_action_fails_on_THEN_it_and_every_later_record_are_reported_unrun(
    stream_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("dynamodb/stream_orders")
    event["Records"][1]["dynamodb"]["NewImage"]["status"] = {"S": "fail"}
    answer = stream_app.handle(event, context)
    sequences = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
    assert answer == {"batchItemFailures": [{"itemIdentifier": number} for number in sequences[1:]]}
    assert [change["event_name"] for change in resources_app.CHANGES] == ["INSERT"]


def test_GIVEN_a_record_of_a_table_no_trigger_names_THEN_it_is_failed_and_logged_by_table(
    stream_app: LambdaApp, context: FakeLambdaContext, caplog: pytest.LogCaptureFixture
) -> None:
    event = load_event("dynamodb/stream_orders")
    for record in event["Records"]:
        record["eventSourceARN"] = record["eventSourceARN"].replace(DEPLOYED, "someone-elses")
    answer = stream_app.handle(event, context)
    assert len(answer["batchItemFailures"]) == 3
    (line,) = [r for r in caplog.records if "no TableStreamTrigger" in r.getMessage()]
    assert getattr(line, "table", None) == "someone-elses"
    assert resources_app.CHANGES == []


@pytest.mark.parametrize("dynamodb", ["not an object", {"Keys": "not a map"}, None])
def test_GIVEN_a_malformed_record_THEN_it_fails_without_crashing_the_batch(
    stream_app: LambdaApp, context: FakeLambdaContext, dynamodb: object
) -> None:
    event = load_event("dynamodb/stream_orders")
    event["Records"][0]["dynamodb"] = dynamodb
    answer = stream_app.handle(event, context)
    assert len(answer["batchItemFailures"]) == 3


def test_GIVEN_a_stream_arn_THEN_its_table_is_the_part_after_table() -> None:
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{DEPLOYED}/stream/2026-12-03T00:00:00.000"
    assert table_of(arn) == DEPLOYED
