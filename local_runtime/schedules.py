"""Schedules: one task per schedule, sending the function its event at each fire time.

The event is exactly what the deployed target sends: an EventBridge rule (no time
zone) and an EventBridge Scheduler schedule (a time zone) both have the constant
input `{"servey_schedule": name}`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from local_runtime.invoker import FunctionInvoker
from local_runtime.types import Event
from servey_cdk.appspec import ScheduleSpec
from servey_cdk.schedule_expressions import CronSchedule, rate_seconds, timezone_of
from servey_cdk.wire import SCHEDULE_KEY

log = logging.getLogger(__name__)


def schedule_event(schedule: ScheduleSpec) -> Event:
    return {SCHEDULE_KEY: schedule.name}


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
        self.next_fires: dict[str, datetime] = {}  # each running schedule's next fire time
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(schedule)) for schedule in self.schedules.values()]
        self._tasks += [
            asyncio.create_task(self._fire_logged(schedule))
            for schedule in self.schedules.values()
            if schedule.immediately
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self.next_fires.clear()

    async def fire(self, schedule: ScheduleSpec) -> object:
        """Send the schedule's event now; returns the function's result."""
        return await self.invoker.invoke(schedule.function, schedule_event(schedule))

    async def _run(self, schedule: ScheduleSpec) -> None:
        moment = datetime.now(UTC)
        while True:
            moment = self.next_fires[schedule.name] = next_fire_time(schedule, moment)
            await asyncio.sleep(max(0.0, moment.timestamp() - time.time()))
            await self._fire_logged(schedule)

    async def _fire_logged(self, schedule: ScheduleSpec) -> None:
        try:
            await self.fire(schedule)
        except Exception:
            log.exception("schedule %s: the function failed", schedule.name)
