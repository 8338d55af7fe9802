"""A small app for the dashboard's tests: an action that logs, one that fails, a queue and a schedule.

The queue's consumer fails each job's first delivery, and its queue dead-letters a
message after one receive: a job lands in the dead letters, and a redrive then
delivers it again, to succeed.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from servey_cdk import (
    WEB_GET,
    WEB_POST,
    ScheduleTrigger,
    Subscription,
    SubscriptionTrigger,
    action,
    subscription,
)

log = logging.getLogger(__name__)
jobs: Subscription[str] = subscription(str, "jobs", is_subscribable=False)
news: Subscription[str] = subscription(str, "news")
deliveries: Counter[str] = Counter()


@action(triggers=WEB_GET)
def greet(name: str) -> str:
    log.warning("greeting %s", name)
    return f"Hello {name}!"


@action(triggers=WEB_POST)
def explode(reason: str) -> None:
    raise RuntimeError(f"exploded: {reason}")


@action(triggers=WEB_POST)
def sign_in(user: str, password: str, note: str) -> bool:
    """Logs what it was given, a token among it perhaps: the dashboard must show no secret."""
    log.warning("signing in %s with note %s", user, note)
    return True


@action(triggers=WEB_POST, publishes=jobs)
def enqueue(job: str) -> bool:
    jobs.publish(job)
    return True


@action(
    triggers=SubscriptionTrigger(jobs, max_receive_count=1, visibility_timeout=timedelta(seconds=1)),
    timeout=1,
)
def work(job: str) -> None:
    deliveries[job] += 1
    if deliveries[job] == 1:
        raise ValueError(f"job {job} fails on its first delivery")
    log.warning("job %s done", job)


@action(triggers=ScheduleTrigger(rate=timedelta(hours=1)))
def hourly() -> str:
    log.warning("the hour has come")
    return "done"
