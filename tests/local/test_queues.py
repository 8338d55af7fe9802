"""Queues: published events reach linked actions through an emulated SQS, and nothing is lost."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from local_runtime.queue_store import QueueStore
from local_runtime.queues import LocalQueue, failed_message_ids
from sample_app.messaging import RECORDED
from servey_cdk.appspec import AppSpec, QueueSpec
from servey_cdk.aws.handler import LambdaApp
from tests.conftest import load_event


def wait_for(condition: Any, timeout_s: float = 5) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_GIVEN_a_published_event_WHEN_the_queue_delivers_THEN_the_linked_action_runs(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    sender = {"Authorization": f"Bearer {make_token('messages:send')}"}
    response = client.post("/actions/broadcast-message", json={"message": "queued hello"}, headers=sender)
    assert response.json() is True
    wait_for(lambda: "queued hello" in RECORDED)
    wait_for(lambda: client.get("/_servey/queues").json()["queues"][0]["depth"] == 0)


def test_GIVEN_the_debug_endpoint_WHEN_read_THEN_it_lists_each_queue_of_the_spec(
    client: TestClient, spec: AppSpec
) -> None:
    queues = client.get("/_servey/queues").json()["queues"]
    assert [queue["name"] for queue in queues] == [queue.name for queue in spec.queues]
    assert queues[0]["arn"] == "arn:aws:sqs:local:000000000000:messager-record_message"
    assert queues[0]["dead_letters"] == []


class FailingFunction:
    """Fails the messages whose body is "bad", as a partial batch response."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        self.events.append(event)
        failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"]) == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def run_queue(
    spec: AppSpec, function: FailingFunction, bodies: list[str], max_receive_count: int
) -> LocalQueue:
    queue_spec = QueueSpec("events-linked", "events", "linked", "linked", 0, max_receive_count, 10, 0)
    queue = LocalQueue(queue_spec, FunctionInvoker(spec, function), QueueStore(":memory:"))

    async def scenario() -> None:
        worker = asyncio.create_task(queue.run())
        for body in bodies:
            queue.send(json.dumps(body))
        while queue.messages:
            await asyncio.sleep(0.01)
        worker.cancel()

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    return queue


def test_GIVEN_a_partial_batch_failure_WHEN_retried_past_max_receive_count_THEN_it_is_dead_lettered(
    spec: AppSpec,
) -> None:
    function = FailingFunction()
    queue = run_queue(spec, function, ["good", "bad", "fine"], max_receive_count=2)
    assert [json.loads(m.body) for m in queue.dead_letters] == ["bad"]
    assert queue.dead_letters[0].receive_count == 2
    deliveries = [json.loads(r["body"]) for event in function.events for r in event["Records"]]
    assert deliveries == ["good", "bad", "fine", "bad"]


def test_GIVEN_a_sqs_event_WHEN_delivered_THEN_records_have_sqs_keys_and_the_receive_count(
    spec: AppSpec,
) -> None:
    function = FailingFunction()
    run_queue(spec, function, ["bad"], max_receive_count=3)
    records = [event["Records"][0] for event in function.events]
    assert set(records[0]) == set(load_event("sqs_batch")["Records"][0])
    assert [r["attributes"]["ApproximateReceiveCount"] for r in records] == ["1", "2", "3"]
    assert len({r["messageId"] for r in records}) == 1


def test_GIVEN_a_response_naming_an_unknown_id_WHEN_read_THEN_the_whole_batch_failed() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "other"}]}
    assert failed_message_ids(response, {"a", "b"}) == {"a", "b"}


def test_GIVEN_an_empty_failure_list_WHEN_read_THEN_the_batch_succeeded() -> None:
    assert failed_message_ids({"batchItemFailures": []}, {"a"}) == set()


def test_GIVEN_a_fifo_queue_WHEN_a_message_fails_through_the_lambda_handler_THEN_the_order_holds(
    spec: AppSpec, lambda_app: LambdaApp
) -> None:
    queue_spec = QueueSpec(
        "messager-record_message", "messager", "record_message", "record_message", 0, 5, 10, 0, fifo=True
    )
    queue = LocalQueue(queue_spec, FunctionInvoker(spec, lambda_app.handle), QueueStore(":memory:"))
    RECORDED.clear()

    async def scenario() -> None:
        for body in ("one", {"not": "a string"}, "three"):
            queue.send(json.dumps(body))
        worker = asyncio.create_task(queue.run())
        while queue.messages:
            await asyncio.sleep(0.01)
        worker.cancel()

    asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    # "three" never ran ahead of the bad one: reported with it each time, it was received as often, and
    # goes to the dead letters with it, as SQS moves them.
    assert RECORDED == ["one"]
    assert [json.loads(m.body) for m in queue.dead_letters] == [{"not": "a string"}, "three"]
    assert queue.arn.endswith(":messager-record_message.fifo")
