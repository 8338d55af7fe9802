"""Invoking the app's Lambda functions: the one path by which the emulator runs user code."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from queue import SimpleQueue
from typing import Any

from local_runtime.lambda_context import LambdaContext
from local_runtime.types import Handler
from servey_cdk.appspec import AppSpec, FunctionSpec

_Invocation = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Any, LambdaContext]


class FunctionInvoker:
    """Calls the handler as Lambda would call one of the app's functions.

    The handler runs in a worker thread, as each Lambda invocation has its own
    process: actions may block without stalling the event loop. Threads start as
    concurrent invocations need them, up to `concurrency`, and then stay, as warm
    Lambda sandboxes do. A worker settles the waiting asyncio future itself, which
    costs less per call than `run_in_executor`'s pair of chained futures.
    """

    def __init__(self, spec: AppSpec, handler: Handler, concurrency: int = 40) -> None:
        self.handler = handler
        self.concurrency = concurrency
        self._functions: dict[str, FunctionSpec] = {function.name: function for function in spec.functions}
        self._invocations: SimpleQueue[_Invocation] = SimpleQueue()
        self._workers = 0
        self._running = 0  # counted on the event loop's thread only, so it needs no lock

    def context_for(self, function_name: str) -> LambdaContext:
        function = self._functions.get(function_name)
        if function is None:
            return LambdaContext(function_name, memory_limit_in_mb=256, timeout_s=30)
        return LambdaContext(function.name, function.memory, function.timeout)

    async def invoke(self, function_name: str, event: Any) -> Any:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Any] = loop.create_future()
        self._running += 1
        if self._running > self._workers and self._workers < self.concurrency:
            self._workers += 1
            name = f"lambda_{self._workers}"
            threading.Thread(target=self._work, name=name, daemon=True).start()
        self._invocations.put((loop, result, event, self.context_for(function_name)))
        try:
            return await result
        finally:
            self._running -= 1

    def _work(self) -> None:
        # Daemon threads: an action still running when the emulator stops does not hold up its exit.
        while True:
            loop, result, event, context = self._invocations.get()
            value: Any = None
            error: BaseException | None = None
            try:
                value = self.handler(event, context)
            except Exception as raised:
                error = raised
            except BaseException as raised:  # sys.exit() in an action ends its invocation, not the emulator
                error = RuntimeError(f"the function's runtime exited: {raised!r}")
            with contextlib.suppress(RuntimeError):  # the loop closed while the function ran
                loop.call_soon_threadsafe(_settle, result, value, error)


def _settle(result: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if result.cancelled():  # the request went away while its function ran
        return
    if error is not None:
        result.set_exception(error)
    else:
        result.set_result(value)
