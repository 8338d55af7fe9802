"""The queue store: what it keeps survives the process, and it gives messages back as SQS does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.queue_store import QueueStore, state_file
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.handler import LambdaApp

T = 1_000_000.0  # a fixed clock: each call is given its time


def reopened(store: QueueStore) -> QueueStore:
    """The same file opened anew, as by a server started after this one died."""
    return QueueStore(store.path)


@pytest.fixture
def store(tmp_path: Path) -> QueueStore:
    return QueueStore(tmp_path / ".servey" / "state.sqlite3")


def test_GIVEN_a_new_state_folder_WHEN_made_THEN_it_ignores_itself_for_git(store: QueueStore) -> None:
    folder = Path(store.path).parent
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_GIVEN_a_sent_message_WHEN_the_file_is_reopened_THEN_it_is_there(store: QueueStore) -> None:
    message_id = store.send("q", '"hello"', now=T)
    [message] = reopened(store).messages("q")
    assert (message.message_id, message.body, message.receive_count) == (message_id, '"hello"', 0)


def test_GIVEN_a_message_in_flight_in_a_dead_process_WHEN_its_timeout_passes_THEN_it_comes_back_counted(
    store: QueueStore,
) -> None:
    store.send("q", '"job"', now=T)
    assert len(store.receive("q", T, 10, 30, 5)[0]) == 1
    after = reopened(store)
    assert after.receive("q", T + 29, 10, 30, 5) == ([], [])
    [again], _ = after.receive("q", T + 30, 10, 30, 5)
    assert (again.receive_count, again.first_received_at) == (2, T)


def test_GIVEN_a_delayed_message_WHEN_received_before_its_delay_THEN_it_stays_hidden(
    store: QueueStore,
) -> None:
    store.send("q", '"later"', now=T, delay_s=5)
    assert store.receive("q", T + 4, 10, 30, 5) == ([], [])
    assert store.next_visible_at("q", after=T) == T + 5
    assert [m.body for m in store.receive("q", T + 5, 10, 30, 5)[0]] == ['"later"']


def test_GIVEN_a_batch_WHEN_some_succeeded_THEN_only_those_are_deleted(store: QueueStore) -> None:
    for body in ('"a"', '"b"', '"c"'):
        store.send("q", body, now=T)
    batch, _ = store.receive("q", T, 2, 30, 5)
    assert [m.body for m in batch] == ['"a"', '"b"']
    store.delete("q", [batch[0].message_id])
    assert [m.body for m in reopened(store).messages("q")] == ['"b"', '"c"']


def test_GIVEN_a_message_received_max_receive_count_times_WHEN_received_again_THEN_it_is_a_kept_dead_letter(
    store: QueueStore,
) -> None:
    store.send("q", '"bad"', now=T)
    store.receive("q", T, 10, 1, 2)
    store.receive("q", T + 1, 10, 1, 2)
    batch, dead = store.receive("q", T + 2, 10, 1, 2)
    assert (batch, [m.body for m in dead]) == ([], ['"bad"'])
    after = reopened(store)
    assert after.messages("q") == []
    assert [(m.body, m.receive_count) for m in after.messages("q", dead_letters=True)] == [('"bad"', 2)]


def test_GIVEN_a_file_of_another_schema_WHEN_opened_THEN_the_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version=99")
    with pytest.raises(RuntimeError, match=f"{path}: queue state of schema 99"):
        QueueStore(path)


def test_GIVEN_no_setting_WHEN_the_state_file_is_chosen_THEN_it_is_under_servey_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVEY_LOCAL_STATE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert state_file() == tmp_path / ".servey" / "state.sqlite3"
    monkeypatch.setenv("SERVEY_LOCAL_STATE", str(tmp_path / "mine.sqlite3"))
    assert state_file() == tmp_path / "mine.sqlite3"


def test_GIVEN_messages_of_a_queue_gone_from_the_spec_WHEN_the_queues_are_read_THEN_it_is_shown_orphaned(
    store: QueueStore, spec: AppSpec, lambda_app: LambdaApp
) -> None:
    store.send("gone-queue", '"left behind"', now=T)
    assert lambda_app.connections is not None
    runtime = LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password="pw", queue_store=store)
    with TestClient(runtime.app) as client:
        answer = client.get("/_servey/queues").json()
    assert [queue["name"] for queue in answer["queues"]] == [queue.name for queue in spec.queues]
    [orphan] = answer["orphaned"]
    assert (orphan["name"], orphan["orphaned"], orphan["depth"]) == ("gone-queue", True, 1)
    assert [m["body"] for m in orphan["messages"]] == ['"left behind"']
    assert [m.body for m in reopened(store).messages("gone-queue")] == ['"left behind"']


def test_GIVEN_a_message_group_with_one_in_flight_WHEN_received_THEN_its_later_ones_wait_and_other_groups_go(
    store: QueueStore,
) -> None:
    for body, group in (('"a1"', "a"), ('"a2"', "a"), ('"b1"', "b")):
        store.send("q.fifo", body, now=T, group_id=group)
    [first], _ = store.receive("q.fifo", T, 1, 10, 5)
    assert first.body == '"a1"'
    assert [m.body for m in store.receive("q.fifo", T + 1, 10, 10, 5)[0]] == ['"b1"']
    assert [m.body for m in store.receive("q.fifo", T + 10, 10, 10, 5)[0]] == ['"a1"', '"a2"']


def test_GIVEN_dead_letters_WHEN_redriven_THEN_they_are_back_at_the_queue_end_with_no_receives(
    store: QueueStore,
) -> None:
    dead_id = store.send("q", '"poison"', now=T)
    store.receive("q", T, 10, 30, 1)
    _, [dead] = store.receive("q", T + 30, 10, 30, 1)  # received once already: moved to the dead letters
    assert dead.message_id == dead_id
    waiting_id = store.send("q", '"next"', now=T + 31)
    store.send("other", '"elsewhere"', now=T)

    assert store.redrive("q", now=T + 40) == 1

    assert store.messages("q", dead_letters=True) == []
    assert [(m.message_id, m.body, m.receive_count) for m in reopened(store).messages("q")] == [
        (waiting_id, '"next"', 0),
        (dead_id, '"poison"', 0),
    ]
    [first, second], _ = store.receive("q", T + 40, 10, 30, 1)
    assert (first.message_id, second.message_id, second.first_received_at) == (waiting_id, dead_id, T + 40)
    assert store.redrive("q", now=T + 50) == 0
