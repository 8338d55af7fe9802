"""Schedules: one task per schedule, sending the function its event at each fire time.

Rules without a time zone are EventBridge rules and send the "Scheduled Event"
envelope; schedules with one are EventBridge Scheduler schedules, whose target
input is `{"servey_schedule": name}`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import ACCOUNT_ID, REGION
from local_runtime.types import Event
from servey_cdk.appspec import ScheduleSpec
from servey_cdk.schedule import CronSchedule, rate_seconds, timezone_of

log = logging.getLogger(__name__)


def schedule_event(schedule: ScheduleSpec, fired_at: datetime) -> Event:
    if schedule.timezone is not None:
        return {"servey_schedule": schedule.name}
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": fired_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{schedule.name}"],
        "detail": {},
    }


def next_fire_time(schedule: ScheduleSpec, after: datetime) -> datetime:
    """The first time strictly after `after` (an aware datetime) that the schedule fires."""
    if schedule.expression.startswith("rate("):
        return after + timedelta(seconds=rate_seconds(schedule.expression))
    zone = timezone_of(schedule.timezone) or UTC
    return CronSchedule.parse(schedule.expression).next_after(after.astimezone(zone))


class Scheduler:
    def __init__(self, schedules: tuple[ScheduleSpec, ...], invoker: FunctionInvoker) -> None:
        self.schedules = {schedule.name: schedule for schedule in schedules}
        self.invoker = invoker
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(schedule)) for schedule in self.schedules.values()]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def fire(self, schedule: ScheduleSpec) -> object:
        """Send the schedule's event now; returns the function's result."""
        return await self.invoker.invoke(schedule.function, schedule_event(schedule, datetime.now(UTC)))

    async def _run(self, schedule: ScheduleSpec) -> None:
        moment = datetime.now(UTC)
        while True:
            moment = next_fire_time(schedule, moment)
            await asyncio.sleep(max(0.0, moment.timestamp() - time.time()))
            try:
                await self.fire(schedule)
            except Exception:
                log.exception("schedule %s: the function failed", schedule.name)
