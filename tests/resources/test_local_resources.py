"""servey-local's local AWS for declared resources (moto on loopback, in process): the action's boto3
code runs unchanged, what tables and buckets hold survives a restart, secrets come from the
environment or `.servey/secrets.json`, grants are the function's own, objects put fire S3Triggers,
a table's stream fires its TableStreamTrigger with retries, and `/_servey` browses it all."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime.app import LocalRuntime
from local_runtime.queue_store import QueueStore
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import discover

APP = "tests.resources.notes_app"


def _runtime(folder: Path | None) -> LocalRuntime:
    registry = discover(APP)
    store = InMemoryConnectionStore()
    spec = build_spec(registry)
    queue_store = QueueStore(folder / "state.sqlite3" if folder is not None else ":memory:")
    runtime = LocalRuntime(
        spec, LambdaApp(registry, connections=store, spec=spec).handle, store, queue_store=queue_store,
        resource_folder=folder,
    )  # fmt: skip
    runtime.streams.retry_delay_s = 0.05
    return runtime


def _eventually(found: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 15
    while not (value := found()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(_runtime(tmp_path).app) as served:
        yield served


def test_GIVEN_items_and_objects_WHEN_servey_local_restarts_THEN_they_are_kept_and_the_seed_is_not_put_again(
    tmp_path: Path,
) -> None:
    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/get-note", params={"id": "welcome"}).json() == {
            "id": "welcome",
            "text": "hello",
        }
        assert client.post("/actions/put-note", json={"id": "n1", "text": "one"}).status_code == 200
        assert client.post("/actions/upload", json={"name": "docs/a b.txt", "text": "x"}).status_code == 200
        client.put("/_servey/buckets/files/docs/c.txt", content=b"ccc")
    notes = json.loads((tmp_path / "tables" / "notes.json").read_text())["items"]
    assert {"id": {"S": "n1"}, "text": {"S": "one"}} in notes

    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/get-note", params={"id": "n1"}).json() == {"id": "n1", "text": "one"}
        keys = [o["key"] for o in client.get("/_servey/buckets/files").json()["objects"]]
        assert keys == ["docs/a b.txt", "docs/c.txt"]
        client.delete("/_servey/buckets/files/docs/c.txt")
    # The welcome note was deleted from the kept copy: a restart must not seed it again.
    kept = tmp_path / "tables" / "notes.json"
    items = [item for item in json.loads(kept.read_text())["items"] if item["id"]["S"] != "welcome"]
    kept.write_text(json.dumps({"items": items}))

    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/get-note", params={"id": "welcome"}).json() is None
        keys = [o["key"] for o in client.get("/_servey/buckets/files").json()["objects"]]
        assert keys == ["docs/a b.txt"]
    assert len(list((tmp_path / "buckets" / "files" / "objects").iterdir())) == 1


def test_GIVEN_no_folder_THEN_nothing_is_kept_and_the_environment_is_restored(tmp_path: Path) -> None:
    before = {name: os.environ.get(name) for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCESS_KEY_ID")}
    with TestClient(_runtime(None).app) as client:
        client.post("/actions/put-note", json={"id": "n1", "text": "one"})
        assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"].startswith("http://127.0.0.1:")
    with TestClient(_runtime(None).app) as client:
        assert client.get("/actions/get-note", params={"id": "n1"}).json() is None
    assert {name: os.environ.get(name) for name in before} == before


def test_GIVEN_a_secret_in_the_environment_or_the_file_THEN_the_action_reads_it_and_no_log_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(_runtime(tmp_path).app) as client:
        made = client.get("/actions/settings").json()
    assert made == {"greeting": "hi", "key_length": 32}
    secrets = json.loads((tmp_path / "secrets.json").read_text())
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0
    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/settings").json() == made  # the made-up value stays
    assert json.loads((tmp_path / "secrets.json").read_text()) == secrets

    (tmp_path / "secrets.json").write_text(json.dumps({"api-key": "from-the-file"}))
    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/settings").json()["key_length"] == len("from-the-file")

    monkeypatch.setenv("SERVEY_LOCAL_SECRET_API_KEY", "s3cr3t-from-env")
    monkeypatch.setenv("SERVEY_LOCAL_PARAMETER_GREETING", "hello")
    with TestClient(_runtime(tmp_path).app) as client:
        assert client.get("/actions/settings").json() == {"greeting": "hello", "key_length": 15}
        invocations = client.get("/_servey/state").text
    assert "s3cr3t-from-env" not in capsys.readouterr().err + invocations
    assert "from-the-file" not in (tmp_path / "state.sqlite3").read_bytes().decode("latin-1")


def test_GIVEN_an_action_that_uses_a_table_it_does_not_declare_THEN_it_is_refused_as_on_lambda(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    assert client.get("/actions/get-note", params={"id": "welcome"}).status_code == 200  # made by another
    refused = client.get("/actions/ungranted")
    assert refused.status_code == 500
    assert "table 'notes' is not granted to this function" in caplog.text
    assert "uses=" in caplog.text


def test_GIVEN_objects_put_into_a_declared_bucket_THEN_its_s3_trigger_runs_for_the_matching_keys(
    client: TestClient,
) -> None:
    client.post("/actions/upload", json={"name": "in/by-action.txt", "text": "x"})
    answer = client.put("/_servey/buckets/files/in/by-endpoint.txt", content=b"y").json()
    assert answer["notified"] == ["on_file"]
    client.post("/actions/upload", json={"name": "out/ignored.txt", "text": "z"})
    seen = _eventually(
        lambda: [i for i in client.get("/actions/seen-ids").json() if i.startswith("file:")] or None
    )
    time.sleep(0.3)  # room for a wrong notification of out/ to arrive
    seen = [i for i in client.get("/actions/seen-ids").json() if i.startswith("file:")]
    assert sorted(seen) == ["file:in/by-action.txt", "file:in/by-endpoint.txt"]


def test_GIVEN_a_table_stream_THEN_each_write_runs_its_trigger_and_a_failing_record_is_retried_then_kept(
    client: TestClient,
) -> None:
    client.post("/actions/put-note", json={"id": "bad", "text": "fail"})
    client.post("/actions/put-note", json={"id": "good", "text": "fine"})
    failures = _eventually(lambda: client.get("/_servey/tables").json()["stream_failures"])
    assert [(f["function"], f["attempts"]) for f in failures] == [("on_note", 2)]  # the run and one retry
    seen = _eventually(lambda: "note:good" in (ids := client.get("/actions/seen-ids").json()) and ids)
    assert "failed:bad" in seen
    assert "note:bad" not in seen
    counted = client.get("/_servey/tables/seen", params={"limit": 1000}).json()["items"]
    assert {"id": "failed:bad", "count": 2} in counted


def test_GIVEN_the_tables_THEN_servey_shows_their_items_a_page_at_a_time_and_names_what_is_wrong(
    client: TestClient,
) -> None:
    for number in range(3):
        client.post("/actions/put-note", json={"id": f"n{number}", "text": "t"})
    tables = client.get("/_servey/tables").json()
    assert {t["name"]: t["items"] for t in tables["tables"]}["notes"] == 4
    assert tables["secrets"] == ["api-key"]
    assert tables["parameters"] == ["greeting"]
    shown, start = [], None
    while True:
        page = client.get(
            "/_servey/tables/notes", params={"limit": 3, **({"start": start} if start else {})}
        ).json()
        shown += page["items"]
        if not (start := page["next"]):
            break
    assert sorted(item["id"] for item in shown) == ["n0", "n1", "n2", "welcome"]
    missing = client.get("/_servey/tables/nope")
    assert missing.status_code == 404
    assert "known: notes, seen" in missing.json()["detail"]
    assert client.get("/_servey/tables/notes", params={"limit": "0"}).status_code == 400
    assert client.get("/_servey/tables/notes", params={"start": "%%%"}).status_code == 400
    assert client.get("/_servey/buckets/nope").status_code == 404
    shown = {(r["kind"], r["name"]): r["href"] for r in client.get("/_servey/state").json()["resources"]}
    assert shown[("table", "notes")] == "/_servey/tables/notes"
    assert shown[("bucket", "files")] == "/_servey/buckets/files"


def test_GIVEN_an_idempotent_action_WHEN_a_request_is_repeated_THEN_it_runs_once_and_repeats_get_its_answer(
    client: TestClient,
) -> None:
    first = client.post("/actions/charge", json={"order": "o1", "amount": 5}).json()
    assert first == {"order": "o1", "amount": 5, "run": 1}
    # The key is the order alone: a repeat with another amount is the same request.
    assert client.post("/actions/charge", json={"order": "o1", "amount": 7}).json() == first
    assert client.post("/actions/charge", json={"order": "o2", "amount": 5}).json()["run"] == 1
    records = client.get("/_servey/tables/servey-idempotency").json()["items"]
    assert len(records) == 2
    assert {record["status"] for record in records} == {"COMPLETED"}

    # A failed run keeps nothing: its retry runs the action again.
    assert client.post("/actions/charge", json={"order": "o3", "amount": 0}).status_code == 500
    assert client.post("/actions/charge", json={"order": "o3", "amount": 1}).json()["run"] == 2


def test_GIVEN_declared_resources_THEN_the_example_tests_and_servey_run_get_a_seeded_local_aws() -> None:
    import subprocess
    import sys
    import unittest

    from servey_cdk.testing import define_test_class

    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(  # noqa: SIM115
        unittest.defaultTestLoader.loadTestsFromTestCase(define_test_class(APP))
    )
    assert (result.testsRun, result.failures, result.errors) == (1, [], [])
    ran = subprocess.run(
        [sys.executable, "-m", "servey_cdk", "run", "--app", APP, "get_note", "--params", '{"id":"welcome"}'],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )  # fmt: skip
    assert json.loads(ran.stdout) == {"id": "welcome", "text": "hello"}


def test_GIVEN_an_idempotent_queue_consumer_WHEN_a_message_comes_twice_THEN_its_side_effect_happens_once(
    client: TestClient,
) -> None:
    assert client.post("/actions/settle-twice", json={"reference": "r1"}).json() == 2

    def settled() -> list[dict[str, Any]] | None:
        queues = client.get("/_servey/queues").json()["queues"]
        (queue,) = [q for q in queues if q["name"].startswith("settlements")]
        items = client.get("/_servey/tables/servey-idempotency").json()["items"]
        done = [i for i in items if i["status"] == "COMPLETED" and "settle" in i["id"]]
        return done if done and queue["depth"] == 0 and queue["in_flight"] == 0 else None

    _eventually(settled)
    items = client.get("/_servey/tables/seen", params={"limit": 1000}).json()["items"]
    assert {"id": "settled:r1", "runs": 1} in items
