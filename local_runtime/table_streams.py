"""Table streams, as Lambda's event source mapping reads them: each TableStreamTrigger's records, read
from its table's stream in the local AWS (moto's DynamoDB Streams), go to its function in batches
of up to `batch_size`, one batch at a time and in order.

The function reports its batch item failures (the Lambda adapter names the first failed record;
it and every later one are ran). That record and the rest of its batch are retried, up to the
trigger's `retry_attempts` times, after which they are kept as a failure, shown in
`GET /_servey/tables` and logged, where Lambda would send them to the trigger's dead-letter
queue; the records after them go on. A batch is kept in the state file from the moment it is
read until its function is done with it, so a restart delivers it again. Records written while
servey-local was stopped are not in the stream: moto's stream starts with each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from local_runtime.invocation_store import InvocationStore, Pending
from local_runtime.invoker import FunctionInvoker
from local_runtime.queue_store import QueueStore
from servey_cdk.appspec import AppSpec, StreamTriggerSpec
from servey_cdk.local_aws.backend import LocalResources
from servey_cdk.rehearsal.events import dynamodb_stream_event

log = logging.getLogger(__name__)

RETRY_DELAY_S = 1.0  # Lambda retries a stream batch at once, then backs off; a second is near enough
POLL_S = 1.0  # how long a reader waits for a write before it reads again anyway


class LocalStreams:
    def __init__(self, spec: AppSpec, invoker: FunctionInvoker, retry_delay_s: float = RETRY_DELAY_S) -> None:
        self.triggers = spec.stream_triggers
        self.invoker = invoker
        self.retry_delay_s = retry_delay_s
        self._store: InvocationStore | None = None
        self._written = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unwatch: Callable[[], None] = lambda: None

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [] if self._store is None else [asdict(failure) for failure in self._store.failures()]

    async def start(self, resources: LocalResources, state: QueueStore) -> None:
        """Read each trigger's stream from now on; the batches a previous run left are delivered first."""
        if not self.triggers:
            return
        loop = asyncio.get_running_loop()
        self._store = InvocationStore(state, "streams")

        def written() -> None:
            loop.call_soon_threadsafe(self._written.set)

        resources.on_table_write.append(written)
        self._unwatch = lambda: resources.on_table_write.remove(written)
        left = self._store.pending()
        streams = resources.client("dynamodbstreams")
        for trigger in self.triggers:
            arn, iterators = await asyncio.to_thread(_latest, resources, trigger.table)
            mine = [pending for pending in left if pending.sender == trigger.name]
            self._tasks.append(asyncio.create_task(self._read(trigger, arn, iterators, mine, streams)))

    async def stop(self) -> None:
        self._unwatch()
        self._unwatch = lambda: None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _read(
        self, trigger: StreamTriggerSpec, arn: str, iterators: list[str], left: list[Pending], streams: Any
    ) -> None:
        for pending in left:
            await self._deliver(trigger, pending)
        while True:
            read_any = False
            for number, iterator in enumerate(iterators):
                answer = await asyncio.to_thread(
                    streams.get_records, ShardIterator=iterator, Limit=trigger.batch_size
                )
                iterators[number] = answer["NextShardIterator"]
                if answer["Records"]:
                    read_any = True
                    await self._deliver(trigger, self._keep(trigger, arn, answer["Records"]))
            if not read_any:
                self._written.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._written.wait(), POLL_S)

    def _keep(self, trigger: StreamTriggerSpec, arn: str, records: list[dict[str, Any]]) -> Pending:
        assert self._store is not None
        event = dynamodb_stream_event(arn, records)
        first = records[0]["dynamodb"]["SequenceNumber"]
        return self._store.add(trigger.name, trigger.function, first, event, time.time())

    async def _deliver(self, trigger: StreamTriggerSpec, pending: Pending) -> None:
        """Run the batch until its function is done with it, or its retries are spent."""
        store = self._store
        assert store is not None
        while True:
            records = pending.event["Records"]
            try:
                answer = await self.invoker.invoke(trigger.function, pending.event)
                ran = _ran(records, answer)
                error = f"{len(records) - ran} of {len(records)} records reported failed"
            except Exception as raised:  # the whole batch failed
                ran, error = 0, f"{type(raised).__name__}: {raised}"
            if ran == len(records):
                store.succeeded(pending)
                return
            attempts = pending.attempts + 1
            log.warning("stream of table %s: function %s failed (attempt %d): %s",
                        trigger.table, trigger.function, attempts, error)  # fmt: skip
            if ran:  # the records before the failed one are done: the retry starts at it
                rest = {**pending.event, "Records": records[ran:]}
                store.succeeded(pending)
                first = records[ran]["dynamodb"]["SequenceNumber"]
                pending = store.add(pending.sender, pending.function, first, rest, time.time())
            if attempts > trigger.retry_attempts:
                log.error("stream of table %s: records from %s failed for good on function %s",
                          trigger.table, pending.event_id, trigger.function)  # fmt: skip
                store.failed(pending, attempts, error, time.time())
                return
            pending = store.retry_at(pending, attempts, time.time() + self.retry_delay_s)
            await asyncio.sleep(self.retry_delay_s)


def _latest(resources: LocalResources, table: str) -> tuple[str, list[str]]:
    """The table's stream, and an iterator at its end for each of its shards."""
    arn = resources.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = resources.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return arn, [
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")[
            "ShardIterator"
        ]
        for shard in shards
    ]


def _ran(records: list[dict[str, Any]], answer: Any) -> int:
    """How many records, from the first, the function ran: all but those from the first it reports failed."""
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return len(records)
    numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
    reported = [numbers.index(f["itemIdentifier"]) for f in failures if f.get("itemIdentifier") in numbers]
    return (
        min(reported) if reported else 0
    )  # an identifier of no record fails the whole batch, as Lambda does
