"""Asynchronous invocations, as Lambda makes them for EventBridge: the caller answered at once, a
failed invocation retried twice (after Lambda's waits), then kept in `failures` and logged, where
Lambda would send it to the function's dead-letter queue. Nothing is dropped in silence."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from local_runtime.invoker import FunctionInvoker
from local_runtime.types import Event

log = logging.getLogger(__name__)

LAMBDA_ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # Lambda's waits before its two retries


@dataclass(frozen=True)
class Failure:
    """An invocation that failed after every retry: what sent it, to which function, which event."""

    sender: str
    function: str
    event_id: str
    attempts: int
    error: str


class AsyncInvocations:
    """`retry_delays_s` are the waits before each retry; `start` may be called from any thread."""

    def __init__(
        self, invoker: FunctionInvoker, retry_delays_s: tuple[float, ...] = LAMBDA_ASYNC_RETRY_DELAYS_S
    ) -> None:
        self.invoker = invoker
        self.retry_delays_s = retry_delays_s
        self.failures: list[Failure] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The emulator's loop, on which every invocation runs."""
        self._loop = loop

    def start(self, sender: str, function: str, event_id: str, event: Event) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError(f"{sender}: the emulator is not running, so nothing can invoke {function!r}")
        loop.call_soon_threadsafe(self._spawn, sender, function, event_id, event)

    def _spawn(self, sender: str, function: str, event_id: str, event: Event) -> None:
        task = asyncio.create_task(self._invoke(sender, function, event_id, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _invoke(self, sender: str, function: str, event_id: str, event: Event) -> None:
        failed = ""
        for attempt, delay in enumerate((0.0, *self.retry_delays_s), start=1):
            await asyncio.sleep(delay)
            try:
                await self.invoker.invoke(function, event)
                return
            except Exception as error:
                log.warning("%s: function %s failed (attempt %d): %s", sender, function, attempt, error)
                failed = f"{type(error).__name__}: {error}"
        log.error("%s: function %s failed for good on event %s", sender, function, event_id)
        self.failures.append(Failure(sender, function, event_id, attempt, failed))

    async def stop(self) -> None:
        """Cancel the invocations still waiting or running, as the emulator stops."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
