"""Scheduled runs: EventBridge rules, and EventBridge Scheduler with our configured input.

The schedule names are AppSpec's: the action's name, suffixed `-1`, `-2`, … when the
action has several schedules. Scheduler sends the input the constructs configured,
`{"servey_schedule": name}`; an EventBridge rule (or Scheduler's default
notification) names the rule or schedule in `resources[0]`, whose name ends with the
schedule name. Names are compared with `_` and `-` alike, since AWS resource names
are often kebab-cased. A per-action function runs its own action whatever the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.handler import SCHEDULE_KEY
from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import NotFound, ServeyError
from servey_cdk.triggers import ScheduleTrigger


class ScheduleAdapter:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._schedules: dict[str, str] = {}
        for action in runtime.registry.actions:
            triggers = [t for t in action.triggers if isinstance(t, ScheduleTrigger)]
            for index in range(len(triggers)):
                name = f"{action.name}-{index + 1}" if len(triggers) > 1 else action.name
                self._schedules[_normal(name)] = action.name

    def handle(self, event: Mapping[str, Any], request_id: str) -> Any:
        action = self._action_of(event)
        try:
            runner = self.runtime.runner(action)
            result = runner.invoke({}, authorization=None, source="schedule", request_id=request_id)
        except ServeyError as error:
            self.runtime.report(error, schedule=action)
            raise
        return runner.dump(result)

    def _action_of(self, event: Mapping[str, Any]) -> str:
        if self.runtime.action is not None:
            return self.runtime.action
        if SCHEDULE_KEY in event:
            name = _normal(str(event[SCHEDULE_KEY]))
            if name in self._schedules:
                return self._schedules[name]
            raise NotFound(f"no schedule named {event[SCHEDULE_KEY]!r}")
        resources = event.get("resources") or [""]
        resource = _normal(str(resources[0]).rpartition("/")[2])
        matches = [name for name in self._schedules if resource == name or resource.endswith("-" + name)]
        if not matches:
            raise NotFound(f"no schedule matches {resources[0]!r}")
        return self._schedules[max(matches, key=len)]


def _normal(name: str) -> str:
    return name.replace("_", "-").lower()
