"""Middleware: functions wrapped around every invocation of an app's actions.

A middleware takes the invocation and the next step, and returns the result:

    @middleware
    def timed(invocation: Invocation, call_next: CallNext) -> Any:
        started = time.perf_counter()
        try:
            return call_next(invocation)
        finally:
            log.info("%s took %.3fs", invocation.action.name, time.perf_counter() - started)

It may inspect or replace the invocation, raise a `ServeyError` (a guard or a policy
check), or change the result. Middleware found in the app runs in discovery order;
the first one found is the outermost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from servey_cdk.action import Action
from servey_cdk.authorization import Authorization
from servey_cdk.triggers import InvocationSource

MIDDLEWARE_ATTRIBUTE = "__servey_middleware__"


@dataclass(slots=True)
class Invocation:
    """One call of an action, after validation and authorization.

    `source` names the entry point (`servey_cdk.triggers.InvocationSource`).
    """

    action: Action
    params: dict[str, Any]
    authorization: Authorization | None
    source: InvocationSource
    request_id: str
    owner: Any = None


CallNext = Callable[[Invocation], Any]
Middleware = Callable[[Invocation, CallNext], Any]
M = TypeVar("M", bound=Middleware)


def middleware(fn: M) -> M:
    """Mark a function as middleware of the app it is defined in."""
    setattr(fn, MIDDLEWARE_ATTRIBUTE, True)
    return fn


def is_middleware(obj: object) -> bool:
    return callable(obj) and getattr(obj, MIDDLEWARE_ATTRIBUTE, False) is True


def chain(middlewares: tuple[Middleware, ...], call: CallNext) -> CallNext:
    """Wrap `call` so that the first middleware runs outermost."""
    for wrapper in reversed(middlewares):
        call = _bind(wrapper, call)
    return call


def _bind(wrapper: Middleware, call_next: CallNext) -> CallNext:
    return lambda invocation: wrapper(invocation, call_next)
