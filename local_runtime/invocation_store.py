"""The asynchronous invocations of one emulator part (topics, events or buckets) in the state file.

Each invocation is one row from the moment it is accepted: its attempts so far and when
the next is due. It is deleted when the function succeeds, and marked failed, with the
error, once its retries are spent; so a restart resumes the retries still waiting and
keeps the failures, as Lambda's queue of asynchronous events and its dead-letter queue do.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from local_runtime.queue_store import QueueStore
from local_runtime.types import Event


@dataclass(frozen=True)
class Failure:
    """An invocation that failed after every retry: what sent it, to which function, which event."""

    sender: str
    function: str
    event_id: str
    attempts: int
    error: str


@dataclass(frozen=True)
class Pending:
    """An invocation still to be made: `attempts` made so far, the next one due at `next_at`."""

    id: int
    sender: str
    function: str
    event_id: str
    event: Event
    attempts: int
    next_at: float


class InvocationStore:
    def __init__(self, state: QueueStore, channel: str) -> None:
        self.state = state
        self.channel = channel

    def add(self, sender: str, function: str, event_id: str, event: Event, now: float) -> Pending:
        """Keep an accepted invocation, committed before this returns; due at once."""
        with self.state.transaction() as db:
            cursor = db.execute(
                "INSERT INTO async_invocations (channel, sender, function, event_id, event, next_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (self.channel, sender, function, event_id, json.dumps(event), now),
            )
        return Pending(int(cursor.lastrowid or 0), sender, function, event_id, event, 0, now)

    def retry_at(self, pending: Pending, attempts: int, next_at: float) -> Pending:
        with self.state.transaction() as db:
            db.execute(
                "UPDATE async_invocations SET attempts = ?, next_at = ? WHERE id = ?",
                (attempts, next_at, pending.id),
            )
        return dataclasses.replace(pending, attempts=attempts, next_at=next_at)

    def succeeded(self, pending: Pending) -> None:
        with self.state.transaction() as db:
            db.execute("DELETE FROM async_invocations WHERE id = ?", (pending.id,))

    def failed(self, pending: Pending, attempts: int, error: str, now: float) -> None:
        with self.state.transaction() as db:
            db.execute(
                "UPDATE async_invocations SET attempts = ?, failed_at = ?, error = ? WHERE id = ?",
                (attempts, now, error, pending.id),
            )

    def pending(self) -> list[Pending]:
        """The invocations not yet made or waiting for a retry, oldest first."""
        with self.state.transaction() as db:
            rows = db.execute(
                "SELECT id, sender, function, event_id, event, attempts, next_at FROM async_invocations "
                "WHERE channel = ? AND failed_at IS NULL ORDER BY id",
                (self.channel,),
            ).fetchall()
        return [Pending(i, s, f, e, json.loads(event), a, n) for i, s, f, e, event, a, n in rows]

    def failures(self) -> list[Failure]:
        with self.state.transaction() as db:
            rows = db.execute(
                "SELECT sender, function, event_id, attempts, error FROM async_invocations "
                "WHERE channel = ? AND failed_at IS NOT NULL ORDER BY failed_at, id",
                (self.channel,),
            ).fetchall()
        return [Failure(*row) for row in rows]
