"""An in-process SQS: the queues of subscription-linked actions, delivered as Lambda's poller does.

Each queue has a worker that receives up to `batch_size` visible messages, hides
them for the visibility timeout and sends them to the function as one SQS event.
Messages the function reports in `batchItemFailures` (all of them, when it fails)
come back after the timeout; the rest are deleted. A message received
`max_receive_count` times that fails again goes to the dead-letter list. Nothing
is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import ACCOUNT_ID, REGION
from local_runtime.types import Event
from servey_cdk.appspec import QueueSpec

log = logging.getLogger(__name__)


@dataclass
class Message:
    body: str
    sent_at: float
    visible_at: float
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    receive_count: int = 0
    first_received_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"messageId": self.message_id, "body": self.body, "receiveCount": self.receive_count}


class LocalQueue:
    def __init__(self, spec: QueueSpec, invoker: FunctionInvoker) -> None:
        self.spec = spec
        self.invoker = invoker
        self.arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{spec.name}"
        self.messages: list[Message] = []
        self.dead_letters: list[Message] = []
        self._wake = asyncio.Event()

    def send(self, body: str) -> Message:
        """Enqueue a message; call on the event loop's thread."""
        now = time.time()
        message = Message(body, sent_at=now, visible_at=now + self.spec.delay_seconds)
        self.messages.append(message)
        self._wake.set()
        return message

    @property
    def in_flight(self) -> list[Message]:
        now = time.time()
        return [message for message in self.messages if message.receive_count and message.visible_at > now]

    async def run(self) -> None:
        """Deliver messages until cancelled."""
        while True:
            batch = self._receive()
            if batch:
                await self._deliver(batch)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._seconds_to_next())

    def _seconds_to_next(self) -> float | None:
        if not self.messages:
            return None
        return max(0.0, min(message.visible_at for message in self.messages) - time.time())

    def _receive(self) -> list[Message]:
        now = time.time()
        batch: list[Message] = []
        for message in [m for m in self.messages if m.visible_at <= now]:
            if message.receive_count >= self.spec.max_receive_count:
                self.messages.remove(message)
                self.dead_letters.append(message)
                log.warning(
                    "queue %s: message %s moved to the dead letters", self.spec.name, message.message_id
                )
                continue
            if len(batch) == self.spec.batch_size:
                break
            message.receive_count += 1
            message.first_received_at = message.first_received_at or now
            message.visible_at = now + self.spec.visibility_timeout
            batch.append(message)
        return batch

    async def _deliver(self, batch: list[Message]) -> None:
        try:
            result = await self.invoker.invoke(self.spec.function, self.event(batch))
        except Exception:
            log.exception("queue %s: the function failed; the batch will be retried", self.spec.name)
            return
        failed = failed_message_ids(result, {message.message_id for message in batch})
        for message in batch:
            if message.message_id not in failed:
                self.messages.remove(message)

    def event(self, batch: list[Message]) -> Event:
        return {"Records": [self._record(message) for message in batch]}

    def _record(self, message: Message) -> dict[str, Any]:
        return {
            "messageId": message.message_id,
            "receiptHandle": f"{message.message_id}#{message.receive_count}",
            "body": message.body,
            "attributes": {
                "ApproximateReceiveCount": str(message.receive_count),
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "SenderId": ACCOUNT_ID,
                "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or 0) * 1000)),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(message.body.encode("utf-8")).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.spec.name,
            "subscription": self.spec.subscription,
            "action": self.spec.action,
            "arn": self.arn,
            "depth": len(self.messages),
            "in_flight": len(self.in_flight),
            "messages": [message.to_dict() for message in self.messages],
            "dead_letters": [message.to_dict() for message in self.dead_letters],
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
