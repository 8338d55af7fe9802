"""A small app for the queue restart tests: a slow consumer that fails some jobs, and a delayed one.

Each consumer appends `<queue> <job>` to the file `QUEUE_APP_LOG` names, for every job it
finished. The visibility timeouts are short so that retries come within seconds.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

from servey_cdk import WEB_GET, WEB_POST, SubscriptionTrigger, action, subscription

jobs = subscription(str, "jobs", is_subscribable=False)
VISIBILITY = timedelta(seconds=2)
JOB_S = 0.05


@action(triggers=WEB_GET)
def alive() -> bool:
    """An app needs a query (GraphQL does)."""
    return True


@action(triggers=WEB_POST, publishes=jobs)
def enqueue(names: list[str]) -> int:
    for name in names:
        jobs.publish(name)
    return len(names)


@action(triggers=SubscriptionTrigger(jobs, max_receive_count=2, visibility_timeout=VISIBILITY), timeout=2)
def work(job: str) -> None:
    """Takes a while per job, so that a batch is in flight; fails the jobs named `fail-…`."""
    time.sleep(JOB_S)
    if job.startswith("fail-"):
        raise ValueError(f"job {job} fails, as it was written to")
    _finished("work", job)


@action(
    triggers=SubscriptionTrigger(jobs, delay=timedelta(seconds=2), visibility_timeout=VISIBILITY), timeout=2
)
def work_later(job: str) -> None:
    _finished("later", job)


def _finished(consumer: str, job: str) -> None:
    with open(os.environ["QUEUE_APP_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{consumer} {job}\n")
