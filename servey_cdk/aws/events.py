"""EventBridge events, routed to the triggers of the function whose pattern they match.

A rule's event carries no rule name. The constructs make one rule per function and bus
(the `$or` of its triggers' patterns), so an event reaches a function once; the function
checks it against its own triggers' patterns (`servey_cdk.event_patterns`) and runs each
action one matches, once. Where one process serves every function (the emulator), the
triggers are those of the function the invocation names. Scheduled Events (`aws.events`,
`aws.scheduler`) are the schedule source's. An event no trigger of the function matches runs
nothing and is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import ServeyError
from servey_cdk.event_patterns import matches

ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
SCHEDULED = ("aws.events", "aws.scheduler")


class EventBridgeEventFailed(Exception):
    """Some of the actions an EventBridge event matched failed; each was logged. EventBridge retries
    the event by the rule target's retry policy, then sends it to the target's dead-letter queue."""


class EventBridgeSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._triggers = runtime.entries("event_triggers")

    def matches(self, event: Any) -> bool:
        if type(event) is not dict or not all(key in event for key in ENVELOPE):
            return False
        return not (event["detail-type"] == "Scheduled Event" and event["source"] in SCHEDULED)

    def handle(self, event: Mapping[str, Any], request_id: str) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        failed: list[str] = []
        for action, trigger in self._matching(event).items():
            params = {trigger["parameter"]: event if trigger["whole_event"] else event["detail"]}
            try:
                runner = self.runtime.runner(action)
                result = runner.invoke(params, authorization=None, source="events", request_id=request_id)
                done.append({"action": action, "result": runner.dump(result)})
            except ServeyError as error:
                self.runtime.report(error, source=event["source"], detail_type=event["detail-type"])
                failed.append(action)
        if failed:
            raise EventBridgeEventFailed(f"the event's actions {', '.join(failed)} failed; see the logs")
        return done

    def _matching(self, event: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        """The first trigger of each action whose pattern the event matches, by action."""
        matched: dict[str, Mapping[str, Any]] = {}
        invoked = self.runtime.invoked()
        for trigger in self._triggers:
            if invoked is not None and trigger["function"] != invoked:
                continue
            if trigger["action"] not in matched and matches(trigger["pattern"], event):
                matched[trigger["action"]] = trigger
        if not matched:
            self.runtime.log.rejected(
                "no EventTrigger of this function matches the event",
                source=event["source"], detail_type=event["detail-type"], event_id=event["id"],
            )  # fmt: skip
        return matched
