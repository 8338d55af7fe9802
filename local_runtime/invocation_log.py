"""The last invocations the emulator ran, with what each logged: the dashboard's list at `/_servey`.

The invoker opens a capture on the worker thread that runs a function and closes it
with the answer. Lines are caught where logging makes its records (a record factory,
installed once), so every logger counts, Powertools' included, whatever its handlers
or propagation, at the levels logging lets through; with `--assembly`, a function's lines
are what its sandbox printed. The action's traceback is the one the runtime logs; the
error, when the function raised, is the one it raised. Keeping an invocation costs the
worker a few microseconds: its event is summarized when the dashboard first asks. Only
the last `LIMIT` invocations are kept, and every text has its secrets redacted
(`log_redaction.redact_secrets`).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from local_runtime.event_summary import MAX_PARSED, MAX_TEXT, EventSummaries, EventSummary
from local_runtime.lambda_context import LambdaContext
from local_runtime.log_redaction import redact_secrets
from servey_cdk.appspec import AppSpec

log = logging.getLogger(__name__)
LIMIT = 200
MAX_TRACEBACK = 20_000  # characters of a traceback shown: a deep recursion's is not shown whole
MAX_LINES = 100  # an invocation's lines kept, the first ones (and any traceback): a loop's are not all kept
_capturing = threading.local()  # the records of the invocation this worker thread runs
_factory_lock = threading.Lock()
_installed: list[Callable[..., logging.LogRecord]] = []


class Invocation:
    """One invocation kept. Its event is summarized when it is first shown, off the invoker's path,
    or at once when keeping it could hold much memory (a batch, a body over `MAX_PARSED`)."""

    def __init__(
        self,
        request_id: str,
        function: str,
        started_at: float,
        duration_ms: float,
        event: Any,
        status: str,
        ok: bool,
        lines: list[dict[str, Any]],
        error: dict[str, str] | None,
    ) -> None:
        self.seq = 0  # numbered as the log takes it
        self.request_id, self.function, self.started_at, self.duration_ms = (
            request_id, function, started_at, duration_ms,
        )  # fmt: skip
        self.status, self.ok, self.lines, self.error = status, ok, lines, error
        self.event: Any = event
        self.summary: EventSummary | None = None

    def summarize(self, summaries: EventSummaries) -> EventSummary:
        if self.summary is None:
            try:
                self.summary = summaries.summarize(self.function, self.event)
            except Exception as unreadable:  # hostile input the function refused, say: shown, not raised
                self.summary = EventSummary(
                    "unknown", f"unreadable event ({type(unreadable).__name__})", None, None, None
                )
            self.event = None  # no longer needed
        return self.summary

    def to_dict(self, summaries: EventSummaries) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "request_id": self.request_id,
            "function": self.function,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 2),
            **self.summarize(summaries).to_dict(),
            "status": self.status,
            "ok": self.ok,
            "lines": self.lines,
            "error": self.error,
        }


class Capture:
    """One invocation's records, from the moment it starts on its worker thread."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self.started = time.perf_counter()
        self.records: list[logging.LogRecord] = []
        self.sandbox_lines: list[str] = []  # what the function's sandbox printed, in `--assembly`


class InvocationLog:
    """The last `limit` invocations, newest last; safe to add to from any thread."""

    def __init__(self, spec: AppSpec, limit: int = LIMIT) -> None:
        self.summaries = EventSummaries(spec)
        self._kept: deque[Invocation] = deque(maxlen=limit)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        _install_record_factory()

    def begin(self) -> Capture:
        """Start catching this thread's log records, for the invocation it is about to run."""
        capture = Capture()
        _capturing.current = capture
        return capture

    def end(
        self, capture: Capture, context: LambdaContext, event: Any, result: Any, error: BaseException | None
    ) -> None:
        """Stop catching, and keep the invocation; a failure to describe it is logged, never raised."""
        duration_ms = (time.perf_counter() - capture.started) * 1000
        _capturing.current = None
        if duration_ms > context.timeout_s * 1000:  # its caller was told so, whatever it answered later
            error = TimeoutError(f"Sandbox.Timedout: the function ran past its {context.timeout_s} s")
        function = context.function_name
        try:
            status, ok = _status(result, error)
            lines = [_line(record) for record in capture.records]
            printed = [_sandbox_line(text, function) for text in capture.sandbox_lines[:MAX_LINES]]
            lines += [line for line, _ in printed]
            logged = next((traced for _, traced in printed if traced is not None), None)
            invocation = Invocation(
                context.aws_request_id, function, capture.started_at, duration_ms, event, status, ok,
                lines, _error(capture.records, error, logged),
            )  # fmt: skip
            if _bulky(event):
                invocation.summarize(self.summaries)
        except Exception:  # the invoker must go on regardless
            log.exception("the dashboard could not keep an invocation of %s", function)
            return
        with self._lock:  # numbered here, so that the numbers grow in the order the list does
            invocation.seq = next(self._seq)
            self._kept.append(invocation)

    @property
    def latest(self) -> int:
        """The number of the newest invocation kept; 0 before the first."""
        with self._lock:
            return self._kept[-1].seq if self._kept else 0

    def since(self, seq: int) -> list[dict[str, Any]]:
        """The invocations kept whose `seq` is above `seq`, oldest first."""
        with self._lock:
            kept = [invocation for invocation in self._kept if invocation.seq > seq]
        return [invocation.to_dict(self.summaries) for invocation in kept]


def add_sandbox_output(text: str) -> None:
    """What the sandbox of the invocation this thread runs printed: its lines, kept with it."""
    capture: Capture | None = getattr(_capturing, "current", None)
    if capture is not None:
        capture.sandbox_lines += text.splitlines()


def _install_record_factory() -> None:
    """Once per process: every record made on a thread that runs an invocation is kept for it."""
    with _factory_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            capture: Capture | None = getattr(_capturing, "current", None)
            if capture is not None and (len(capture.records) < MAX_LINES or record.exc_info):
                capture.records.append(record)
            return record

        logging.setLogRecordFactory(make)
        _installed.append(make)


def _bulky(event: Any) -> bool:
    """Whether the event may be large: a batch (of records, or of resolver events), or a long body."""
    if not isinstance(event, dict):
        return True
    body = event.get("body")
    return "Records" in event or (isinstance(body, str) and len(body) > MAX_PARSED)


def _line(record: logging.LogRecord) -> dict[str, Any]:
    return {
        "level": record.levelname,
        "logger": record.name,
        "message": redact_secrets(record.getMessage(), MAX_TEXT),
    }


def _sandbox_line(text: str, function: str) -> tuple[dict[str, Any], dict[str, str] | None]:
    """A line a sandbox printed, and the error it logs: Powertools' JSON is read for its level,
    message and traceback; any other line is shown as it is."""
    try:
        line = json.loads(text)
    except ValueError:
        line = None
    if not isinstance(line, dict) or "message" not in line:
        return {"level": "", "logger": function, "message": redact_secrets(text, MAX_TEXT)}, None
    message = redact_secrets(str(line["message"]), MAX_TEXT)
    shown = {
        "level": str(line.get("level", "")),
        "logger": str(line.get("service", function)),
        "message": message,
    }
    trace = line.get("exception")
    if not trace:
        return shown, None
    return shown, {
        "type": str(line.get("exception_name", "")),
        "message": message,
        "traceback": redact_secrets(str(trace), MAX_TRACEBACK),
    }


def _error(
    records: list[logging.LogRecord],
    raised: BaseException | None,
    sandbox_logged: dict[str, str] | None = None,
) -> dict[str, str] | None:
    """The action's exception as the runtime logged it (here or in its sandbox), else the one the
    function raised."""
    logged = next((record.exc_info for record in records if record.exc_info and record.exc_info[1]), None)
    if logged is None and sandbox_logged is not None:
        return sandbox_logged
    error = logged[1] if logged is not None else raised
    if error is None:
        return None
    kind = getattr(error, "error_type", None) or type(error).__name__
    trace = "".join(traceback.format_exception(error))
    message, trace = redact_secrets(str(error), MAX_TEXT), redact_secrets(trace, MAX_TRACEBACK)
    return {"type": kind, "message": message, "traceback": trace}


def _status(result: Any, error: BaseException | None) -> tuple[str, bool]:
    """What the answer says of the invocation, as the service that sent the event reads it."""
    if error is not None:
        return str(getattr(error, "error_type", None) or type(error).__name__), False
    if isinstance(result, list):  # an AppSync batch: an error per failed item
        failed = sum(1 for item in result if isinstance(item, dict) and item.get("errorType"))
        return (f"{failed} of {len(result)} failed", False) if failed else ("ok", True)
    if not isinstance(result, dict):
        return "ok", True
    code = result.get("statusCode")
    if isinstance(code, int):
        return str(code), code < 400
    if result.get("errorType"):
        return str(result["errorType"]), False
    if result.get("batchItemFailures"):
        return f"{len(result['batchItemFailures'])} failed", False
    if result.get("isAuthorized") is False:
        return "refused", False
    return "ok", True
