"""servey-local's state in one SQLite file, so that a restart loses no queued work: the emulated
queues' messages here, and the asynchronous invocations still to be retried (`invocation_store`).

`<folder servey-local runs from>/.servey/state.sqlite3` unless `SERVEY_LOCAL_STATE`
names another file (`servey-local --state FILE` sets it). Each message is one row:
a send is committed before it returns, a received message keeps its receive count
and the time it becomes visible again (so one received by a process that died comes
back after its visibility timeout, as on SQS), and a row is deleted only once its
function succeeded for it. Dead letters stay in the file, marked with the time they
were moved. WAL mode with `synchronous=NORMAL`: a commit is a write to the OS, which
survives `kill -9`; each call is one short transaction, cheap enough for the event loop.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_VARIABLE = "SERVEY_LOCAL_STATE"
STATE_FOLDER = ".servey"
SCHEMA_VERSION = 2  # 2 added `async_invocations`; a file of 1 gains the table as it opens
READABLE_VERSIONS = (0, 1, SCHEMA_VERSION)
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the send order, which FIFO queues keep per group
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    group_id TEXT,
    sent_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at REAL,
    dead_lettered_at REAL
    )""",
    "CREATE INDEX IF NOT EXISTS messages_of_queue ON messages (queue, dead_lettered_at, visible_at)",
    "CREATE INDEX IF NOT EXISTS messages_in_order ON messages (queue, dead_lettered_at, seq)",
    """CREATE TABLE IF NOT EXISTS async_invocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,  -- which emulator part invokes it: topics, events or buckets
    sender TEXT NOT NULL,
    function TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    failed_at REAL,
    error TEXT
    )""",
)
COLUMNS = "message_id, body, group_id, sent_at, visible_at, receive_count, first_received_at"


@dataclass(frozen=True)
class StoredMessage:
    message_id: str
    body: str
    group_id: str | None
    sent_at: float
    visible_at: float
    receive_count: int
    first_received_at: float | None

    def to_dict(self) -> dict[str, Any]:
        shown = {"messageId": self.message_id, "body": self.body, "receiveCount": self.receive_count}
        return shown if self.group_id is None else {**shown, "messageGroupId": self.group_id}


def state_file() -> Path:
    """The state file servey-local keeps: `SERVEY_LOCAL_STATE`, else `.servey/state.sqlite3` here."""
    named = os.environ.get(STATE_VARIABLE)
    return Path(named) if named else Path.cwd() / STATE_FOLDER / "state.sqlite3"


class QueueStore:
    """Every emulated queue's messages and dead letters; safe to call from any thread.

    `path` ":memory:" keeps them in this process only (for in-process tests).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = path
        if path != ":memory:":
            _make_folder(Path(path).parent)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")  # another servey-local on the same file
        with self.transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in READABLE_VERSIONS:
                raise RuntimeError(
                    f"{path}: queue state of schema {version}, this servey-local reads {SCHEMA_VERSION}; "
                    f"move the file away (its messages stay in it) or set {STATE_VARIABLE}"
                )
            for statement in SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed write (or read) of the file, from any thread."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def send(self, queue: str, body: str, now: float, delay_s: float = 0, group_id: str | None = None) -> str:
        """Keep a message, committed before this returns; its id."""
        message_id = str(uuid.uuid4())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO messages (queue, message_id, body, group_id, sent_at, visible_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (queue, message_id, body, group_id, now, now + delay_s),
            )
        return message_id

    def receive(
        self, queue: str, now: float, batch_size: int, visibility_timeout: float, max_receive_count: int
    ) -> tuple[list[StoredMessage], list[StoredMessage]]:
        """Up to `batch_size` visible messages, hidden until `now + visibility_timeout`; and those
        moved to the dead letters instead, having been received `max_receive_count` times.

        Messages of a group (FIFO) come in send order, and none while an earlier one of
        the group is in flight or delayed.
        """
        batch: list[StoredMessage] = []
        dead: list[StoredMessage] = []
        with self.transaction() as db:
            held = {
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT group_id FROM messages WHERE queue = ? AND dead_lettered_at IS NULL "
                    "AND visible_at > ? AND group_id IS NOT NULL",
                    (queue, now),
                )
            }
            visible = db.execute(
                f"SELECT {COLUMNS} FROM messages WHERE queue = ? AND dead_lettered_at IS NULL "
                "AND visible_at <= ? ORDER BY seq",
                (queue, now),
            )
            for row in visible:  # read lazily: a long queue costs no more than its first batch
                message = StoredMessage(*row)
                if message.group_id in held:
                    continue
                if message.receive_count >= max_receive_count:
                    dead.append(message)
                elif len(batch) < batch_size:
                    batch.append(message)
                else:
                    break
            db.executemany(
                "UPDATE messages SET dead_lettered_at = ? WHERE message_id = ?",
                [(now, message.message_id) for message in dead],
            )
            db.executemany(
                "UPDATE messages SET receive_count = receive_count + 1, visible_at = ?, "
                "first_received_at = COALESCE(first_received_at, ?) WHERE message_id = ?",
                [(now + visibility_timeout, now, message.message_id) for message in batch],
            )
        received = [
            StoredMessage(
                m.message_id,
                m.body,
                m.group_id,
                m.sent_at,
                now + visibility_timeout,
                m.receive_count + 1,
                m.first_received_at or now,
            )
            for m in batch
        ]
        return received, dead

    def delete(self, queue: str, message_ids: list[str]) -> None:
        """Forget messages their function succeeded for."""
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM messages WHERE queue = ? AND message_id = ?",
                [(queue, message_id) for message_id in message_ids],
            )

    def redrive(self, queue: str, now: float) -> int:
        """Move the queue's dead letters back to it, at its end, as new messages (receive count 0)
        that keep their ids and bodies, as SQS's redrive moves them; how many were moved."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT message_id, body, group_id, sent_at FROM messages "  # the columns inserted below
                "WHERE queue = ? AND dead_lettered_at IS NOT NULL ORDER BY seq",
                (queue,),
            ).fetchall()
            db.execute("DELETE FROM messages WHERE queue = ? AND dead_lettered_at IS NOT NULL", (queue,))
            db.executemany(
                "INSERT INTO messages (queue, message_id, body, group_id, sent_at, visible_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(queue, *row, now) for row in rows],
            )
        return len(rows)

    def next_visible_at(self, queue: str, after: float) -> float | None:
        """When the queue's next hidden (delayed or in-flight) message becomes visible; None if none."""
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(visible_at) FROM messages WHERE queue = ? AND dead_lettered_at IS NULL "
                "AND visible_at > ?",
                (queue, after),
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def messages(self, queue: str, dead_letters: bool = False) -> list[StoredMessage]:
        """The queue's messages (visible, delayed and in flight), or its dead letters, in send order."""
        condition = "IS NOT NULL" if dead_letters else "IS NULL"
        with self._lock:
            rows = self._db.execute(
                f"SELECT {COLUMNS} FROM messages WHERE queue = ? AND dead_lettered_at {condition} "
                "ORDER BY seq",
                (queue,),
            ).fetchall()
        return [StoredMessage(*row) for row in rows]

    def queue_names(self) -> list[str]:
        """Every queue that has messages or dead letters in the file."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT queue FROM messages ORDER BY queue").fetchall()
        return [row[0] for row in rows]


def _make_folder(folder: Path) -> None:
    """The state folder, made with a `.gitignore` of its own: nothing in it belongs in a repository."""
    if not folder.is_dir():
        folder.mkdir(parents=True)
        (folder / ".gitignore").write_text("# servey-local's state: never committed, never shipped\n*\n")
