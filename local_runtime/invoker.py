"""Invoking the app's Lambda functions: the one path by which the emulator runs user code."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from queue import Empty, SimpleQueue
from typing import Any

from local_runtime.invocation_log import InvocationLog
from local_runtime.lambda_context import LambdaContext
from local_runtime.types import Handler
from servey_cdk.appspec import AppSpec, FunctionSpec

_Invocation = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Any, LambdaContext]
IDLE_WORKER_S = 60.0  # how long a worker waits for work before it ends, as an idle sandbox is retired
_running = threading.local()  # the function a worker thread is running, as a sandbox runs one


class FunctionError(Exception):
    """A function's error as Lambda reports it, `errorType` and `errorMessage`, from outside its process."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class CallerTimedOut(Exception):
    """The caller (API Gateway at 29 s, AppSync at 30 s) stopped waiting before the function ended."""


def running_function() -> str | None:
    """The name of the function this thread is running, or None outside any function."""
    name: str | None = getattr(_running, "function", None)
    return name


class FunctionInvoker:
    """Calls the handler as Lambda would call one of the app's functions.

    The handler runs in a worker thread, as each Lambda invocation has its own
    process: actions may block without stalling the event loop. A worker is started
    when no idle one is left, up to `concurrency`, and ends after `idle_s` without
    work. A worker settles the waiting asyncio future itself, which costs
    less per call than `run_in_executor`'s pair of chained futures. Each invocation
    is kept in `invocation_log`, with what it logged, for the dashboard.
    """

    def __init__(
        self, spec: AppSpec, handler: Handler, concurrency: int = 40, idle_s: float = IDLE_WORKER_S
    ) -> None:
        self.handler = handler
        self.concurrency = concurrency
        self.idle_s = idle_s
        self.thread_prefix = f"lambda-{id(self):x}"
        self.invocation_log = InvocationLog(spec)
        self._functions: dict[str, FunctionSpec] = {function.name: function for function in spec.functions}
        self._invocations: SimpleQueue[_Invocation] = SimpleQueue()
        self._lock = threading.Lock()  # over the counts below; invocations may come from several loops
        self._workers = 0
        self._idle = 0  # workers waiting for work that no queued invocation has claimed
        self._backlog = 0  # queued invocations that found no worker to claim (all were busy)

    def context_for(self, function_name: str) -> LambdaContext:
        function = self._functions.get(function_name)
        if function is None:
            return LambdaContext(function_name, memory_limit_in_mb=256, timeout_s=30)
        return LambdaContext(function.name, function.memory, function.timeout)

    async def invoke(self, function_name: str, event: Any, wait_s: float | None = None) -> Any:
        """The function's answer, as Lambda gives it: a `FunctionError` "Sandbox.Timedout" once it
        runs past its timeout, or `CallerTimedOut` when the caller waits only `wait_s` and that
        comes first. A thread cannot be stopped, so an action that overran runs to its end
        unseen, where Lambda would have stopped its sandbox; its answer is dropped."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Any] = loop.create_future()
        context = self.context_for(function_name)
        self._invocations.put((loop, result, event, context))
        self._claim_worker()
        caller_first = wait_s is not None and wait_s < context.timeout_s
        seconds = wait_s if wait_s is not None and caller_first else context.timeout_s
        timer = loop.call_later(seconds, _expire, result, caller_first, seconds)
        try:
            return await result
        finally:
            timer.cancel()

    def _claim_worker(self) -> None:
        """An idle worker for the invocation just queued, or a new one while under `concurrency`."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                return
            if self._workers >= self.concurrency:
                self._backlog += 1  # the next worker to finish takes it
                return
            self._workers += 1
        try:
            name = f"{self.thread_prefix}-{self._workers}"
            threading.Thread(target=self._work, name=name, daemon=True).start()
        except BaseException:
            with self._lock:
                self._workers -= 1
            raise

    def _work(self) -> None:
        # Daemon threads: an action still running when the emulator stops does not hold up its exit.
        while True:
            try:
                loop, result, event, context = self._invocations.get(timeout=self.idle_s)
            except Empty:
                with self._lock:
                    if self._idle:  # more idle workers than queued invocations: this one may end
                        self._idle -= 1
                        self._workers -= 1
                        return
                continue
            value: Any = None
            error: BaseException | None = None
            _running.function = context.function_name
            capture = self.invocation_log.begin()
            try:
                value = self.handler(event, context)
            except Exception as raised:
                error = raised
            except BaseException as raised:  # sys.exit() in an action ends its invocation, not the emulator
                error = RuntimeError(f"the function's runtime exited: {raised!r}")
            _running.function = None
            with contextlib.suppress(RuntimeError):  # the loop closed while the function ran
                loop.call_soon_threadsafe(_settle, result, value, error)
            # Kept once the caller has its answer, which waits for none of this.
            self.invocation_log.end(capture, context, event, value, error)
            with self._lock:
                if self._backlog:
                    self._backlog -= 1
                else:
                    self._idle += 1


def _expire(result: asyncio.Future[Any], caller_first: bool, seconds: float) -> None:
    if result.done():
        return
    if caller_first:
        result.set_exception(CallerTimedOut(f"no answer in {seconds} s"))
    else:
        result.set_exception(FunctionError("Sandbox.Timedout", f"Task timed out after {seconds:.2f} seconds"))


def _settle(result: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if result.done():  # the request went away, or the invocation timed out, while its function ran
        return
    if error is not None:
        result.set_exception(error)
    else:
        result.set_result(value)
