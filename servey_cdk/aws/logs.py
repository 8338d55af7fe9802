"""Operational output: Powertools' structured logs, and Tracer and Metrics when switched on.

The Powertools Logger is made on the first line logged, so an invocation that logs
nothing never imports it. Every line written during an invocation carries the request id
(`function_request_id`), the cold-start flag and, while an action runs, its name
(`action`): servey's own lines, and the app's own (`logging.getLogger(...)`), which a
handler on the root logger writes through the same Powertools handler. Events, headers
and tokens are never logged by servey: only names, ids and tracebacks are; a token anywhere
in a line (JWT-shaped, a `Bearer` or a `token=` value), its traceback included, is replaced
with `[redacted]` all the same. A thread an action starts is outside the invocation: its lines are left to
the root logger's other handlers.
Tracing (`SERVEY_TRACING=1`) and metrics (`SERVEY_METRICS=1`) are off by default and
imported only when on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from servey_cdk.invocation import running_action
from servey_cdk.wire import METRICS, TRACING

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

LambdaHandler = Callable[[Any, Any], Any]
# The invocation this thread (or task) is handling, its log and what each of its lines carries: held
# per context, as servey-local runs several at once on one LambdaApp. A thread an action starts has
# none, and its lines go to the other handlers as before.
_INVOCATION: ContextVar[LoggedInvocation | None] = ContextVar("servey_invocation", default=None)


class LoggedInvocation:
    """The invocation a context is handling, as its log lines name it (not the middleware's
    `Invocation`, which is an action's call). A plain class, as its module is on every cold start:
    a frozen dataclass's class takes most of a millisecond to make."""

    __slots__ = ("cold_start", "context", "log", "request_id")

    def __init__(self, log: RuntimeLog, request_id: str, cold_start: bool, context: Any) -> None:
        self.log = log
        self.request_id = request_id
        self.cold_start = cold_start
        self.context = context

    def keys(self) -> dict[str, Any]:
        return {
            "function_request_id": self.request_id,
            "cold_start": self.cold_start,
            "function_name": getattr(self.context, "function_name", None),
        }


def invoked_context() -> Any:
    """The Lambda context of the invocation this thread (or task) is handling, None outside any."""
    invocation = _INVOCATION.get()
    return invocation.context if invocation is not None else None


class RuntimeLog:
    """The structured log of one Lambda function."""

    def __init__(self, service: str) -> None:
        self.service = os.environ.get("POWERTOOLS_SERVICE_NAME") or service
        self._logger: Logger | None = None
        _APP_LINES.install()

    def begin(self, context: Any, request_id: str, cold_start: bool) -> None:
        """Remember the invocation the next lines of this context belong to."""
        _INVOCATION.set(LoggedInvocation(self, request_id, cold_start, context))

    def end(self) -> None:
        """The invocation is over: the app's lines are no longer this log's to write."""
        _INVOCATION.set(None)

    @property
    def logger(self) -> Logger:
        if self._logger is None:
            from aws_lambda_powertools import Logger

            self._logger = Logger(service=self.service, logger_formatter=_redacting_formatter())
            self._logger.registered_handler.addFilter(InvocationKeys())
        return self._logger

    def writes(self, logger_name: str) -> bool:
        """Whether the Powertools Logger writes this logger's lines itself (its own, and its children's)."""
        return self._logger is not None and (
            logger_name == self.service or logger_name.startswith(f"{self.service}.")
        )

    def write(self, record: logging.LogRecord) -> None:
        """Write another logger's line as this log's own."""
        self.logger.registered_handler.handle(record)

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


class InvocationKeys(logging.Filter):
    """The invocation's request id, cold-start flag and function on each line written in it, and the
    running action's name where the line names none (the formatter takes tokens out of the line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        invocation = _INVOCATION.get()
        if invocation is not None:
            for key, value in invocation.keys().items():
                record.__dict__.setdefault(key, value)
        if not hasattr(record, "action"):
            action = running_action()
            if action is not None:
                record.action = action
        return True


def _redacting_formatter() -> Any:
    """Powertools' JSON formatter, with tokens out of the whole line: an exception's text, and so
    its traceback and stack trace, may hold one (`ValueError(f"bad token {token}")`)."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from servey_cdk.redaction import redact  # with the logger: an invocation that logs nothing needs neither

    class RedactingFormatter(LambdaPowertoolsFormatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    return RedactingFormatter()


class AppLines(logging.Handler):
    """On the root logger: each line of the app's own loggers (and libraries') written during an
    invocation, through the structured log of that invocation."""

    def install(self) -> None:
        root = logging.getLogger()
        if self not in root.handlers:
            root.addHandler(self)

    def filter(self, record: logging.LogRecord) -> bool:
        # Powertools adds a filter to each root handler that drops the lines of any logger whose name
        # merely contains the service's; `emit` makes the exact check instead.
        return True

    def emit(self, record: logging.LogRecord) -> None:
        invocation = _INVOCATION.get()
        if invocation is not None and not invocation.log.writes(record.name):
            invocation.log.write(record)


_APP_LINES = AppLines()


def join_lambda_runtime_logging() -> None:
    """On Lambda: the runtime's own root handler leaves the lines of an invocation to the structured log,
    and the root logger takes the function's log level, so that the app's INFO lines are written too."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler is not _APP_LINES and not any(isinstance(f, _OutsideInvocations) for f in handler.filters):
            handler.addFilter(_OutsideInvocations())
    root.setLevel(function_log_level())


class _OutsideInvocations(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return _INVOCATION.get() is None


def function_log_level() -> int:
    """The level Powertools takes: `POWERTOOLS_LOG_LEVEL`, else Lambda's own setting, else INFO."""
    name = os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("AWS_LAMBDA_LOG_LEVEL") or "INFO"
    level = logging.getLevelName(name.upper())
    return level if isinstance(level, int) else logging.INFO


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
