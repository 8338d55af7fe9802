"""Middleware: log how long every action takes."""

import logging
import time
from typing import Any

from servey_cdk import CallNext, Invocation, middleware

log = logging.getLogger(__name__)


@middleware
def timed(invocation: Invocation, call_next: CallNext) -> Any:
    started = time.perf_counter()
    try:
        return call_next(invocation)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug("action %s took %.2f ms", invocation.action.name, elapsed_ms)
