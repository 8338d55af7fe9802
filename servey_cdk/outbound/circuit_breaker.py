"""A circuit breaker for calls to other services.

Closed, calls pass and consecutive failures are counted; after `failure_threshold` of
them it opens and calls fail at once with `CircuitOpen`. After `cooldown_s` the next
call is let through alone (half-open): its success closes the circuit, its failure opens
it again for another cool-down.

The state lives in a `CircuitStateStore`. Every change is a compare-and-set against the
state it was computed from, so breakers in many processes (Lambda instances sharing a
DynamoDB item) count failures together and admit a single half-open trial.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class CircuitStatus(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class CircuitState:
    status: CircuitStatus = CircuitStatus.CLOSED
    failures: int = 0
    """Consecutive failures; reset by a success."""
    changed_at: float = 0.0
    """When the circuit last opened or admitted a half-open trial (epoch seconds)."""


class CircuitStateStore(Protocol):
    def get(self) -> CircuitState:
        """The current state; a closed circuit when nothing is stored yet."""
        ...

    def put(self, state: CircuitState, expected: CircuitState) -> bool:
        """Store `state` if the stored one is still `expected`; False if another caller changed it first."""
        ...


class InMemoryCircuitStateStore:
    """State shared by the threads of one process."""

    def __init__(self) -> None:
        self._state = CircuitState()
        self._lock = threading.Lock()

    def get(self) -> CircuitState:
        return self._state

    def put(self, state: CircuitState, expected: CircuitState) -> bool:
        with self._lock:
            if self._state != expected:
                return False
            self._state = state
            return True


class CircuitOpen(Exception):
    """Raised instead of calling a service whose circuit is open."""

    def __init__(self, name: str, retry_after_s: float) -> None:
        super().__init__(f"circuit {name!r} is open after repeated failures; retry in {retry_after_s:.1f} s")
        self.name = name
        self.retry_after_s = retry_after_s


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        store: CircuitStateStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(
                f"circuit {name!r}: failure_threshold must be at least 1, not {failure_threshold}"
            )
        if cooldown_s < 0:
            raise ValueError(f"circuit {name!r}: cooldown_s must not be negative, not {cooldown_s}")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.store: CircuitStateStore = store if store is not None else InMemoryCircuitStateStore()
        # Wall-clock time by default: a store shared between processes needs one time line.
        self._clock = clock

    @property
    def state(self) -> CircuitState:
        return self.store.get()

    def call(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`function(*args, **kwargs)`, or `CircuitOpen` without calling it while the circuit is open."""
        self._transition(self._admitted)
        try:
            result = function(*args, **kwargs)
        except Exception:
            self._transition(self._after_failure)
            raise
        self._transition(self._after_success)
        return result

    def _transition(self, step: Callable[[CircuitState, float], CircuitState]) -> None:
        # Losing the compare-and-set means another caller moved the state on: recompute from theirs.
        while True:
            current = self.store.get()
            following = step(current, self._clock())
            if following == current or self.store.put(following, current):
                return

    def _admitted(self, state: CircuitState, now: float) -> CircuitState:
        if state.status is CircuitStatus.CLOSED:
            return state
        # Open, or half-open with a trial under way. A trial that never reported back
        # (its process died) is replaced by a new one after another cool-down.
        reopens_at = state.changed_at + self.cooldown_s
        if now < reopens_at:
            raise CircuitOpen(self.name, reopens_at - now)
        return CircuitState(CircuitStatus.HALF_OPEN, state.failures, changed_at=now)

    def _after_failure(self, state: CircuitState, now: float) -> CircuitState:
        if state.status is CircuitStatus.OPEN:
            return state
        failures = state.failures + 1
        if state.status is CircuitStatus.HALF_OPEN or failures >= self.failure_threshold:
            return CircuitState(CircuitStatus.OPEN, failures, changed_at=now)
        return CircuitState(CircuitStatus.CLOSED, failures)

    def _after_success(self, state: CircuitState, now: float) -> CircuitState:
        # A call admitted before others opened the circuit does not close it again.
        if state.status is CircuitStatus.OPEN:
            return state
        return CircuitState()
