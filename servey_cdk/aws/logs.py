"""Operational output: Powertools' structured logs, and Tracer and Metrics when switched on.

The Powertools Logger is made on the first line logged, so an invocation that logs
nothing never imports it. Every line carries the request id and the cold-start flag.
Events, headers and tokens are never logged: only names, ids and tracebacks are.
Tracing (`SERVEY_TRACING=1`) and metrics (`SERVEY_METRICS=1`) are off by default and
imported only when on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from servey_cdk.wire import METRICS, TRACING

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

LambdaHandler = Callable[[Any, Any], Any]


class RuntimeLog:
    """The structured log of one Lambda function."""

    def __init__(self, service: str) -> None:
        self.service = os.environ.get("POWERTOOLS_SERVICE_NAME") or service
        self._logger: Logger | None = None
        self._context: Any = None
        self._request_id: str | None = None
        self._cold_start = True

    def begin(self, context: Any, request_id: str, cold_start: bool) -> None:
        """Remember the invocation the next lines belong to."""
        self._context, self._request_id, self._cold_start = context, request_id, cold_start
        if self._logger is not None:
            self._logger.append_keys(**self._keys())

    def _keys(self) -> dict[str, Any]:
        return {
            "function_request_id": self._request_id,
            "cold_start": self._cold_start,
            "function_name": getattr(self._context, "function_name", None),
        }

    @property
    def logger(self) -> Logger:
        if self._logger is None:
            from aws_lambda_powertools import Logger

            self._logger = Logger(service=self.service)
            self._logger.append_keys(**self._keys())
        return self._logger

    def action_failed(self, action: str, error: BaseException, **keys: Any) -> None:
        """An action's own exception, with its traceback."""
        cause = error.__cause__ or error
        self.logger.error(
            f"action {action!r} failed",
            exc_info=(type(cause), cause, cause.__traceback__),
            extra={"action": action, **keys},
        )

    def rejected(self, message: str, **keys: Any) -> None:
        """A request refused for a reason the caller was told (bad input, no access)."""
        self.logger.warning(message, extra=keys)


def instrument(handle: LambdaHandler, service: str) -> LambdaHandler:
    """`handle` wrapped in Powertools Tracer and Metrics, each only when switched on."""
    if os.environ.get(TRACING) == "1":
        from aws_lambda_powertools import Tracer

        handle = Tracer(service=service).capture_lambda_handler(handle)
    if os.environ.get(METRICS) == "1":
        from aws_lambda_powertools import Metrics
        from aws_lambda_powertools.metrics import MetricUnit

        namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "servey")
        metrics = Metrics(service=service, namespace=namespace)
        traced = handle

        def counted(event: Any, context: Any) -> Any:
            metrics.add_metric(name="Invocations", unit=MetricUnit.Count, value=1)
            return traced(event, context)

        handle = metrics.log_metrics(counted, capture_cold_start_metric=True)
    return handle
