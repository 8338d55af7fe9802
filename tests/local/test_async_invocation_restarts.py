"""Asynchronous invocations (SNS here; EventBridge and S3 share the code) kept in the state file:
a retry still waiting when servey-local stops is made by the next run, and a failure stays."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from local_runtime.app import LocalRuntime
from local_runtime.invocation_store import InvocationStore
from local_runtime.queue_store import QueueStore
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover

APP = "tests.sns.orders_app"
FAILING = {"message": "fail", "attributes": {"kind": "placed"}}


def _runtime(state: Path, retry_delays_s: tuple[float, ...]) -> LocalRuntime:
    registry = discover(APP)
    store = InMemoryConnectionStore()
    runtime = LocalRuntime(
        build_spec(registry),
        LambdaApp(registry, connections=store).handle,
        store,
        queue_store=QueueStore(state),
    )
    runtime.topics.invocations.retry_delays_s = retry_delays_s
    return runtime


def _eventually(found: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 10
    while not (value := found()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value


def test_GIVEN_a_retry_waiting_WHEN_servey_local_restarts_THEN_the_next_run_retries_and_keeps_the_failure(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite3"
    kept = InvocationStore(QueueStore(state), "topics")
    with TestClient(_runtime(state, retry_delays_s=(0.5, 0.05)).app) as client:
        message_id = client.post("/_servey/topics/orders", json=FAILING).json()["MessageId"]
        (waiting,) = _eventually(lambda: [p for p in kept.pending() if p.attempts == 1])
    assert (waiting.event_id, waiting.function) == (message_id, "on_order")

    with TestClient(_runtime(state, retry_delays_s=(0.5, 0.05)).app) as client:
        failures = _eventually(lambda: client.get("/_servey/topics").json()["failures"])
    assert [(f["event_id"], f["attempts"]) for f in failures] == [(message_id, 3)]
    assert "SnsEventsFailed" in failures[0]["error"]

    with TestClient(_runtime(state, retry_delays_s=(0.5, 0.05)).app) as client:
        assert client.get("/_servey/topics").json()["failures"] == failures
    assert kept.pending() == []


def test_GIVEN_an_invocation_that_succeeds_THEN_nothing_of_it_stays_in_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    kept = InvocationStore(QueueStore(state), "topics")
    with TestClient(_runtime(state, retry_delays_s=(0.05, 0.05)).app) as client:
        client.post("/_servey/topics/orders", json={"message": "m", "attributes": {"kind": "placed"}})
        _eventually(lambda: client.get("/actions/heard").json())
        _eventually(lambda: kept.pending() == [])
    assert kept.failures() == []


def test_GIVEN_a_state_file_of_schema_1_WHEN_opened_THEN_it_gains_the_invocations_and_keeps_its_messages(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite3"
    old = QueueStore(state)
    old.send("jobs", '"queued"', now=0)
    old.close()
    sqlite3.connect(state).execute("PRAGMA user_version=1").connection.close()
    reopened = QueueStore(state)
    assert [m.body for m in reopened.messages("jobs")] == ['"queued"']
    assert InvocationStore(reopened, "topics").pending() == []
