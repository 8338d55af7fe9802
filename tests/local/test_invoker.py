"""The invoker: each invocation in a worker thread, as each Lambda invocation has its own sandbox."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec


def test_GIVEN_an_invocation_that_blocks_WHEN_another_runs_THEN_the_event_loop_is_not_stalled(
    spec: AppSpec,
) -> None:
    released = threading.Event()

    def function(event: Any, context: LambdaContext) -> str:
        if event == "wait":
            assert released.wait(timeout=5), "the second invocation never ran"
        else:
            released.set()
        return str(event)

    async def scenario() -> list[str]:
        invoker = FunctionInvoker(spec, function)
        return list(await asyncio.gather(invoker.invoke("f", "wait"), invoker.invoke("f", "release")))

    assert asyncio.run(scenario()) == ["wait", "release"]


def test_GIVEN_a_concurrency_WHEN_more_invocations_arrive_THEN_no_more_run_at_once(spec: AppSpec) -> None:
    lock = threading.Lock()
    running: list[int] = []
    most = 0

    def function(event: Any, context: LambdaContext) -> int:
        nonlocal most
        with lock:
            running.append(event)
            most = max(most, len(running))
        threading.Event().wait(0.02)
        with lock:
            running.remove(event)
        return int(event) * 2

    async def scenario() -> list[int]:
        invoker = FunctionInvoker(spec, function, concurrency=3)
        return list(await asyncio.gather(*(invoker.invoke("f", number) for number in range(10))))

    assert asyncio.run(scenario()) == [number * 2 for number in range(10)]
    assert most == 3


def test_GIVEN_a_function_that_raises_WHEN_invoked_THEN_the_caller_gets_its_error(spec: AppSpec) -> None:
    def function(event: Any, context: LambdaContext) -> None:
        raise KeyError(event)

    async def scenario() -> None:
        await FunctionInvoker(spec, function).invoke("f", "missing")

    with pytest.raises(KeyError, match="missing"):
        asyncio.run(scenario())


def test_GIVEN_a_function_that_exits_WHEN_invoked_THEN_only_its_invocation_fails(spec: AppSpec) -> None:
    def function(event: Any, context: LambdaContext) -> str:
        if event == "exit":
            sys.exit(3)
        return "still serving"

    async def scenario() -> tuple[BaseException | str, str]:
        invoker = FunctionInvoker(spec, function, concurrency=1)
        exiting = asyncio.wait_for(invoker.invoke("f", "exit"), timeout=5)
        failed = (await asyncio.gather(exiting, return_exceptions=True))[0]
        return failed, await asyncio.wait_for(invoker.invoke("f", "next"), timeout=5)

    failed, after = asyncio.run(scenario())
    assert isinstance(failed, RuntimeError)
    assert "SystemExit(3)" in str(failed)
    assert after == "still serving"


class SlowOnRequest:
    """A function that blocks on the event "slow" until released; other events return at once."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, event: Any, context: LambdaContext) -> str:
        if event == "slow":
            self.started.set()
            self.release.wait(timeout=10)
        return str(event)


def test_GIVEN_a_request_that_goes_away_WHEN_its_function_finishes_THEN_the_next_is_served(
    spec: AppSpec,
) -> None:
    function = SlowOnRequest()
    loop_errors: list[dict[str, Any]] = []

    async def scenario() -> Any:
        asyncio.get_running_loop().set_exception_handler(lambda _, error: loop_errors.append(error))
        invoker = FunctionInvoker(spec, function, concurrency=1)
        slow = asyncio.create_task(invoker.invoke("f", "slow"))
        await asyncio.to_thread(function.started.wait, 5)
        slow.cancel()
        function.release.set()
        return await invoker.invoke("f", "next")

    assert asyncio.run(scenario()) == "next"
    assert loop_errors == []


def test_GIVEN_a_function_of_the_spec_WHEN_invoked_THEN_its_context_has_the_functions_settings(
    spec: AppSpec,
) -> None:
    function = spec.functions[0]

    def handler(event: Any, context: LambdaContext) -> tuple[str, int, int]:
        return context.function_name, context.memory_limit_in_mb, context.timeout_s

    invoked = asyncio.run(FunctionInvoker(spec, handler).invoke(function.name, {}))
    assert invoked == (function.name, function.memory, function.timeout)


def test_GIVEN_a_request_that_went_away_WHEN_its_function_still_runs_THEN_the_next_gets_another_worker(
    spec: AppSpec,
) -> None:
    function = SlowOnRequest()

    async def scenario() -> str:
        invoker = FunctionInvoker(spec, function)
        slow = asyncio.create_task(invoker.invoke("f", "slow"))
        await asyncio.to_thread(function.started.wait, 5)
        slow.cancel()
        try:
            return await asyncio.wait_for(invoker.invoke("f", "fast"), timeout=2)
        finally:
            function.release.set()

    assert asyncio.run(scenario()) == "fast"


def _workers_of(invoker: FunctionInvoker) -> int:
    return sum(thread.name.startswith(f"{invoker.thread_prefix}-") for thread in threading.enumerate())


def test_GIVEN_a_burst_past_the_concurrency_WHEN_workers_go_idle_THEN_they_end_and_later_calls_are_served(
    spec: AppSpec,
) -> None:
    def function(event: Any, context: LambdaContext) -> int:
        threading.Event().wait(0.01)
        return int(event)

    async def scenario() -> tuple[list[int], int, int]:
        invoker = FunctionInvoker(spec, function, concurrency=2, idle_s=0.05)
        burst = list(await asyncio.gather(*(invoker.invoke("f", n) for n in range(8))))
        await asyncio.sleep(0.5)
        idle = _workers_of(invoker)
        later = await asyncio.wait_for(invoker.invoke("f", 9), timeout=2)
        return burst, idle, later

    burst, idle_workers, later = asyncio.run(scenario())
    assert burst == list(range(8))
    assert idle_workers == 0
    assert later == 9
