"""An in-process SQS: the queues of subscription-linked actions, delivered as Lambda's poller does.

Each queue has a worker that receives up to `batch_size` visible messages, hides
them for the visibility timeout and sends them to the function as one SQS event.
Messages the function reports in `batchItemFailures` (all of them, when it fails)
come back after the timeout; the rest are deleted. A message received
`max_receive_count` times that fails again goes to the dead-letter list. Nothing
is dropped: the messages live in a `QueueStore` (`.servey/state.sqlite3`), so a
restart, even `kill -9`, loses none; a queue the spec no longer has keeps its
messages there and is shown as orphaned.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Iterable
from typing import Any

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import ACCOUNT_ID, REGION
from local_runtime.queue_store import QueueStore, StoredMessage
from local_runtime.types import Event
from servey_cdk.appspec import QueueSpec

log = logging.getLogger(__name__)


class LocalQueue:
    def __init__(self, spec: QueueSpec, invoker: FunctionInvoker, store: QueueStore) -> None:
        self.spec = spec
        self.invoker = invoker
        self.store = store
        self.arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{spec.name}{'.fifo' if spec.fifo else ''}"
        self.group_id = spec.subscription if spec.fifo else None  # one group, as the publisher on AWS sends
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # the worker's, once it runs

    def send(self, body: str) -> str:
        """Keep a message, in the store before this returns, and wake the worker; from any thread."""
        spec = self.spec
        message_id = self.store.send(spec.name, body, time.time(), spec.delay_seconds, self.group_id)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        return message_id

    def redrive(self) -> int:
        """Move the dead letters back to the queue, and wake the worker; how many were moved."""
        moved = self.store.redrive(self.spec.name, time.time())
        if moved and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        return moved

    @property
    def messages(self) -> list[StoredMessage]:
        """Visible, delayed and in flight."""
        return self.store.messages(self.spec.name)

    @property
    def dead_letters(self) -> list[StoredMessage]:
        return self.store.messages(self.spec.name, dead_letters=True)

    async def run(self) -> None:
        """Deliver messages until cancelled; those left in flight come back after their timeout."""
        self._loop = asyncio.get_running_loop()
        while True:
            now = time.time()
            batch = self._receive(now)
            if batch:
                await self._deliver(batch)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._seconds_to_next(now))

    def _seconds_to_next(self, received_at: float) -> float | None:
        """Until a message hidden when the last receive found none becomes visible."""
        next_at = self.store.next_visible_at(self.spec.name, after=received_at)
        return None if next_at is None else max(0.0, next_at - time.time())

    def _receive(self, now: float) -> list[StoredMessage]:
        spec = self.spec
        batch, dead = self.store.receive(
            spec.name, now, spec.batch_size, spec.visibility_timeout, spec.max_receive_count
        )
        for message in dead:
            log.warning("queue %s: message %s moved to the dead letters", spec.name, message.message_id)
        return batch

    async def _deliver(self, batch: list[StoredMessage]) -> None:
        try:
            result = await self.invoker.invoke(self.spec.function, self.event(batch))
        except Exception:
            log.exception("queue %s: the function failed; the batch will be retried", self.spec.name)
            return
        failed = failed_message_ids(result, {message.message_id for message in batch})
        self.store.delete(self.spec.name, [m.message_id for m in batch if m.message_id not in failed])

    def event(self, batch: list[StoredMessage]) -> Event:
        return {"Records": [self._record(message) for message in batch]}

    def _record(self, message: StoredMessage) -> dict[str, Any]:
        return {
            "messageId": message.message_id,
            "receiptHandle": f"{message.message_id}#{message.receive_count}",
            "body": message.body,
            "attributes": {
                "ApproximateReceiveCount": str(message.receive_count),
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "SenderId": ACCOUNT_ID,
                "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or 0) * 1000)),
                **self._order_attributes(message),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(message.body.encode("utf-8")).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        }

    def _order_attributes(self, message: StoredMessage) -> dict[str, str]:
        """What a FIFO queue's record carries besides: its group, deduplication id and sequence."""
        if message.group_id is None:
            return {}
        return {
            "MessageGroupId": message.group_id,
            "MessageDeduplicationId": message.message_id,
            "SequenceNumber": str(int(message.sent_at * 1_000_000)),
        }

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        named = {"name": spec.name, "subscription": spec.subscription, "action": spec.action, "arn": self.arn}
        return {**named, **_contents(self.store, spec.name)}


def orphaned_queues(store: QueueStore, known: Iterable[str]) -> list[dict[str, Any]]:
    """Queues with messages in the store that the spec no longer has (after a code change).

    Their messages stay in the store: shown, never deleted behind the developer's back.
    """
    names = set(known)
    return [
        {"name": name, "orphaned": True, **_contents(store, name)}
        for name in store.queue_names()
        if name not in names
    ]


def _contents(store: QueueStore, queue: str) -> dict[str, Any]:
    messages = store.messages(queue)
    now = time.time()
    return {
        "depth": len(messages),
        "in_flight": sum(1 for message in messages if message.receive_count and message.visible_at > now),
        "delayed": sum(1 for message in messages if not message.receive_count and message.visible_at > now),
        "messages": [message.to_dict() for message in messages],
        "dead_letters": [message.to_dict() for message in store.messages(queue, dead_letters=True)],
    }


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """The ids a partial batch response names.

    As Lambda does, a response naming an empty or unknown id fails the whole batch.
    """
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return batch_ids
    ids = {item.get("itemIdentifier") for item in failures if isinstance(item, dict)}
    if len(ids) != len(failures) or not ids <= batch_ids:
        return batch_ids
    return {str(identifier) for identifier in ids}
