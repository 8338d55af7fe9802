"""Batched resolution, as AppSync's BatchInvoke does it for one field of many parent objects.

Events collected during one turn of the event loop go to the function together, in
lists of at most `batch_size`; each caller gets the item of the result at its index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from local_runtime.types import Event

InvokeBatch = Callable[[list[Event]], Awaitable[list[Any]]]


class BatchLoader:
    def __init__(self, batch_size: int, invoke_batch: InvokeBatch) -> None:
        self.batch_size = batch_size
        self.invoke_batch = invoke_batch
        self._pending: list[tuple[Event, asyncio.Future[Any]]] = []
        self._running: set[asyncio.Task[None]] = set()

    def load(self, event: Event) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if not self._pending:
            loop.call_soon(self._dispatch)
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((event, future))
        return future

    def _dispatch(self) -> None:
        pending, self._pending = self._pending, []
        for start in range(0, len(pending), self.batch_size):
            task = asyncio.ensure_future(self._run(pending[start : start + self.batch_size]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[Event, asyncio.Future[Any]]]) -> None:
        try:
            results = await self.invoke_batch([event for event, _ in batch])
            if not isinstance(results, list) or len(results) != len(batch):
                raise TypeError(f"a batch of {len(batch)} events got {results!r} back, not a list of as many")
        except Exception as error:  # the whole batch failed, as one Lambda invocation would
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=False):
            future.set_result(result)
