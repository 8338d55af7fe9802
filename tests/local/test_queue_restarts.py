"""Restarts of a real servey-local lose no queued message: in flight, delayed or dead-lettered."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from local_runtime.queue_store import STATE_VARIABLE, QueueStore
from tests import servers

JOBS = [f"job-{number}" for number in range(27)] + ["fail-1", "fail-2", "fail-3"]
DRAIN_TIMEOUT_S = 20


def queues(base: str) -> dict[str, Any]:
    return {queue["name"]: queue for queue in httpx.get(f"{base}/_servey/queues").json()["queues"]}


def finished(log: Path) -> Counter[str]:
    return Counter(log.read_text().splitlines()) if log.exists() else Counter()


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_GIVEN_queued_work_WHEN_servey_local_is_stopped_and_restarted_THEN_no_message_is_lost(
    tmp_path: Path, stop: signal.Signals
) -> None:
    state, log = tmp_path / "state.sqlite3", tmp_path / "finished.log"
    environment = {STATE_VARIABLE: str(state), "QUEUE_APP_LOG": str(log)}
    arguments = ["--app", "tests.local.queue_app"]
    with servers.servey_local(arguments, environment) as (base, process):
        assert httpx.post(f"{base}/actions/enqueue", json={"names": JOBS}).json() == len(JOBS)
        wait_for(lambda: finished(log), "the first job")  # the first batch is in flight
        process.send_signal(stop)
        process.wait(timeout=20)
    store = QueueStore(state)
    kept = {name: store.messages(name) for name in ("jobs-work", "jobs-work_later")}
    store.close()
    unfinished = set(JOBS) - {line.split()[1] for line in finished(log)}
    assert unfinished <= {json.loads(m.body) for m in kept["jobs-work"]}
    assert any(m.receive_count == 1 for m in kept["jobs-work"])  # a batch was in flight
    assert [json.loads(m.body) for m in kept["jobs-work_later"]] == JOBS  # still delayed

    with servers.servey_local(arguments, environment) as (base, process):
        wait_for(lambda: all(queue["depth"] == 0 for queue in queues(base).values()), "empty queues")
        dead_letters = queues(base)["jobs-work"]["dead_letters"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)
    done = finished(log)
    ok = {job for job in JOBS if not job.startswith("fail-")}
    assert {line.split()[1] for line in done if line.startswith("work ")} == ok
    assert {line.split()[1] for line in done if line.startswith("later ")} == set(JOBS)
    assert [(m["body"], m["receiveCount"]) for m in dead_letters] == [(f'"fail-{n}"', 2) for n in (1, 2, 3)]
    with servers.servey_local(arguments, environment) as (base, _):  # dead letters survive a kill too
        assert queues(base)["jobs-work"]["dead_letters"] == dead_letters
