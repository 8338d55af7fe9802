"""SQS batches for linked actions, with partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sample_app import messaging
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture(autouse=True)
def recorded() -> list[str]:
    messaging.RECORDED.clear()
    return messaging.RECORDED


def test_GIVEN_a_batch_WHEN_handled_THEN_each_body_is_the_linked_actions_event(
    app: LambdaApp, context: FakeLambdaContext, recorded: list[str]
) -> None:
    assert app.handle(load_event("sqs_batch"), context) == {"batchItemFailures": []}
    assert recorded == ["hello", "second"]


def test_GIVEN_one_invalid_record_WHEN_handled_THEN_only_its_message_id_is_reported(
    app: LambdaApp, context: FakeLambdaContext, recorded: list[str]
) -> None:
    event = load_event("sqs_batch")
    event["Records"][0]["body"] = json.dumps({"not": "a string"})
    answer = app.handle(event, context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert recorded == ["second"]


def test_GIVEN_a_body_that_is_not_json_WHEN_handled_THEN_the_record_fails(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sqs_batch")
    event["Records"][1]["body"] = "not json"
    failures = app.handle(event, context)["batchItemFailures"]
    assert failures == [{"itemIdentifier": event["Records"][1]["messageId"]}]


def test_GIVEN_a_queue_linked_to_no_action_WHEN_handled_THEN_every_record_fails(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sqs_batch")
    for record in event["Records"]:
        record["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:servey-other-queue"
    assert len(app.handle(event, context)["batchItemFailures"]) == 2


def test_GIVEN_a_per_action_function_WHEN_handled_THEN_the_queue_name_is_not_needed(
    sample_registry: Registry, context: FakeLambdaContext, recorded: list[str]
) -> None:
    event = load_event("sqs_batch")
    for record in event["Records"]:
        record["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:any-name"
    LambdaApp(sample_registry, function="record_message").handle(event, context)
    assert recorded == ["hello", "second"]


def test_GIVEN_a_failing_record_WHEN_handled_THEN_the_failure_is_logged_with_its_message_id(
    sample_registry: Registry,
    context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "test-sqs-failure-log")
    event = load_event("sqs_batch")
    event["Records"][0]["body"] = "not json"
    LambdaApp(sample_registry).handle(event, context)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [line["message_id"] for line in lines] == [event["Records"][0]["messageId"]]


def ids_of(event: dict[str, Any], *positions: int) -> list[dict[str, str]]:
    return [{"itemIdentifier": event["Records"][position]["messageId"]} for position in positions]


@pytest.mark.parametrize(("failing", "done"), [(0, []), (1, ["first"]), (2, ["first", "second"])])
def test_GIVEN_a_fifo_batch_WHEN_a_record_fails_THEN_it_and_every_later_one_are_reported_unrun(
    app: LambdaApp, context: FakeLambdaContext, recorded: list[str], failing: int, done: list[str]
) -> None:
    event = load_event("sqs/fifo_batch")
    event["Records"][failing]["body"] = json.dumps({"not": "a string"})
    answer = app.handle(event, context)
    assert answer == {"batchItemFailures": ids_of(event, *range(failing, 3))}
    assert recorded == done


def test_GIVEN_fifo_records_known_by_their_group_alone_WHEN_one_fails_THEN_the_later_ones_wait(
    app: LambdaApp, context: FakeLambdaContext, recorded: list[str]
) -> None:
    event = load_event("sqs/fifo_batch")
    for record in event["Records"]:
        record["eventSourceARN"] = record["eventSourceARN"].removesuffix(".fifo")
    event["Records"][1]["body"] = "not json"
    assert app.handle(event, context) == {"batchItemFailures": ids_of(event, 1, 2)}
    assert recorded == ["first"]


def test_GIVEN_a_fifo_batch_WHEN_all_succeed_THEN_they_run_in_order_and_none_is_reported(
    app: LambdaApp, context: FakeLambdaContext, recorded: list[str]
) -> None:
    assert app.handle(load_event("sqs/fifo_batch"), context) == {"batchItemFailures": []}
    assert recorded == ["first", "second", "third"]
