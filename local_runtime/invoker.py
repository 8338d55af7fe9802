"""Invoking the app's Lambda functions: the one path by which the emulator runs user code."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from local_runtime.lambda_context import LambdaContext
from local_runtime.types import Handler
from servey_cdk.appspec import AppSpec, FunctionSpec


class FunctionInvoker:
    """Calls the handler as Lambda would call one of the app's functions.

    The handler runs in a worker thread, as each Lambda invocation has its own
    process: actions may block without stalling the event loop. The pool is the
    standard library's, whose hand-off costs less per call than Starlette's.
    """

    def __init__(self, spec: AppSpec, handler: Handler, concurrency: int = 40) -> None:
        self.handler = handler
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lambda")
        self._functions: dict[str, FunctionSpec] = {function.name: function for function in spec.functions}

    def context_for(self, function_name: str) -> LambdaContext:
        function = self._functions.get(function_name)
        if function is None:
            return LambdaContext(function_name, memory_limit_in_mb=256, timeout_s=30)
        return LambdaContext(function.name, function.memory, function.timeout)

    async def invoke(self, function_name: str, event: Any) -> Any:
        context = self.context_for(function_name)
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.handler, event, context)
