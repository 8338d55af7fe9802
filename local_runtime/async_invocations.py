"""Asynchronous invocations, as Lambda makes them for SNS, EventBridge and S3: the caller answered
at once, a failed invocation retried twice (after Lambda's waits), then kept as a failure and
logged, where Lambda would send it to the function's dead-letter queue. Nothing is dropped in
silence, nor lost on a restart: each invocation is kept in the state file until it is done."""

from __future__ import annotations

import asyncio
import logging
import time

from local_runtime.invocation_store import Failure, InvocationStore, Pending
from local_runtime.invoker import FunctionInvoker
from local_runtime.queue_store import QueueStore
from local_runtime.types import Event

log = logging.getLogger(__name__)

LAMBDA_ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # Lambda's waits before its two retries


class AsyncInvocations:
    """`channel` names this part's rows in the state file; `retry_delays_s` are the waits before
    each retry; `start` may be called from any thread once `bind` has been."""

    def __init__(
        self,
        invoker: FunctionInvoker,
        channel: str,
        retry_delays_s: tuple[float, ...] = LAMBDA_ASYNC_RETRY_DELAYS_S,
    ) -> None:
        self.invoker = invoker
        self.channel = channel
        self.retry_delays_s = retry_delays_s
        self._store: InvocationStore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def failures(self) -> list[Failure]:
        return [] if self._store is None else self._store.failures()

    def bind(self, loop: asyncio.AbstractEventLoop, state: QueueStore) -> None:
        """The emulator's loop, on which every invocation runs, and the state file that keeps them;
        the invocations a previous run left waiting resume, each when it is due."""
        self._loop = loop
        self._store = InvocationStore(state, self.channel)
        for pending in self._store.pending():
            log.info(
                "%s: resuming the invocation of %s for event %s",
                pending.sender,
                pending.function,
                pending.event_id,
            )
            self._spawn(pending)

    def start(self, sender: str, function: str, event_id: str, event: Event) -> None:
        loop, store = self._loop, self._store
        if loop is None or store is None:
            raise RuntimeError(f"{sender}: the emulator is not running, so nothing can invoke {function!r}")
        pending = store.add(sender, function, event_id, event, time.time())
        loop.call_soon_threadsafe(self._spawn, pending)

    def _spawn(self, pending: Pending) -> None:
        task = asyncio.create_task(self._invoke(pending))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _invoke(self, pending: Pending) -> None:
        store = self._store
        assert store is not None  # bound before anything is spawned
        attempts = pending.attempts
        while True:
            await asyncio.sleep(max(0.0, pending.next_at - time.time()))
            attempts += 1
            try:
                await self.invoker.invoke(pending.function, pending.event)
            except Exception as error:
                log.warning(
                    "%s: function %s failed (attempt %d): %s",
                    pending.sender,
                    pending.function,
                    attempts,
                    error,
                )
                failed = f"{type(error).__name__}: {error}"
            else:
                store.succeeded(pending)
                return
            if attempts > len(self.retry_delays_s):
                log.error(
                    "%s: function %s failed for good on event %s",
                    pending.sender,
                    pending.function,
                    pending.event_id,
                )
                store.failed(pending, attempts, failed, time.time())
                return
            pending = store.retry_at(pending, attempts, time.time() + self.retry_delays_s[attempts - 1])

    async def stop(self) -> None:
        """Cancel the invocations still waiting or running, as the emulator stops; they stay in the
        state file, and the next run makes them."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
