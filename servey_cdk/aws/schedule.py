"""Scheduled runs: EventBridge rules, and EventBridge Scheduler with our configured input.

The schedules are the spec's. Scheduler sends the input the constructs configured,
`{"servey_schedule": name}`; an EventBridge rule (or Scheduler's default
notification) names the rule or schedule in `resources[0]`, whose name ends with the
schedule's name (`servey_cdk.wire.named_by`). A function with one schedule runs it
whatever the event names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import NotFound, ServeyError
from servey_cdk.wire import SCHEDULE_KEY, named_by


class ScheduleSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._schedules: dict[str, str] = {
            schedule["name"]: schedule["action"] for schedule in runtime.entries("schedules")
        }

    def matches(self, event: Any) -> bool:
        if type(event) is not dict:
            return False
        return SCHEDULE_KEY in event or (
            event.get("detail-type") == "Scheduled Event"
            and event.get("source") in ("aws.events", "aws.scheduler")
        )

    def handle(self, event: Mapping[str, Any], request_id: str) -> Any:
        schedule, action = self._schedule_of(event)
        try:
            runner = self.runtime.runner(action)
            result = runner.invoke({}, authorization=None, source="schedule", request_id=request_id)
        except ServeyError as error:
            self.runtime.report(error, schedule=schedule)
            raise
        return runner.dump(result)

    def _schedule_of(self, event: Mapping[str, Any]) -> tuple[str, str]:
        named = str(event[SCHEDULE_KEY]) if SCHEDULE_KEY in event else None
        resources = event.get("resources") or [""]
        resource = named if named is not None else str(resources[0]).rpartition("/")[2]
        name = named_by(resource, self._schedules)
        if name is None and len(self._schedules) == 1:
            name = next(iter(self._schedules))
        if name is None:
            error = NotFound(f"no schedule of this function is named by {resource!r}")
            self.runtime.report(error, schedule=resource)
            raise error
        return name, self._schedules[name]
