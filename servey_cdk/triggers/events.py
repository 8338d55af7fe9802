"""EventBridge event patterns: an action run for the events of a bus that match a pattern.

Metadata `EventTrigger`, AppSpec entry `EventTriggerSpec`. The pattern's semantics
`servey_cdk/event_patterns.py`, Lambda adapter `servey_cdk/aws/events.py`, construct
`constructs_lib/event_rules.py`, emulator `local_runtime/events.py`. Putting events:
`servey_cdk/event_bus.py`, on Lambda `servey_cdk/aws/event_bus.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from servey_cdk.wire import trigger_name

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import EventTriggerSpec

EVENT_PARAMETER = "event"  # an action declaring it receives the whole event, else the `detail`
DEFAULT_BUS = "default"  # EventBridge's own name for the account's default bus
BUS_NAME = re.compile(r"[A-Za-z0-9._\-/]{1,256}")
BUS_ARN = re.compile(r"arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/[A-Za-z0-9._\-/]{1,256}")


@dataclass(frozen=True)
class EventTrigger:
    """Run the action for each event that matches: its `source` and `detail_type` (a value or a list
    of them) merged into `pattern` (the rest of an EventBridge event pattern).

    `bus` is the default bus (None), the name of a bus of the app's own (the constructs create
    it), or an existing bus's ARN. The action takes the event's `detail` as its one required
    parameter, or declares a parameter `event` to receive the whole event.
    """

    source: str | tuple[str, ...] | None = None
    detail_type: str | tuple[str, ...] | None = None
    pattern: Mapping[str, Any] = field(default_factory=dict)
    bus: str | None = None


def full_pattern(trigger: EventTrigger) -> dict[str, Any]:
    """The rule's pattern: `pattern` with `source` and `detail-type` as lists of values."""
    pattern = dict(trigger.pattern)
    for key, value in (("source", trigger.source), ("detail-type", trigger.detail_type)):
        if value is not None:
            pattern[key] = [value] if isinstance(value, str) else list(value)
    return pattern


@dataclass(frozen=True)
class EventRule:
    """One rule the app needs: every trigger of `function` on one bus, its pattern their `$or`.

    One rule per function and bus, not per trigger, so that an event reaches a function once
    however many of its triggers it matches; the function then runs each action it matches."""

    name: str
    function: str
    bus: str | None
    bus_arn: str | None
    pattern: dict[str, Any]
    triggers: tuple[str, ...]


def event_rules(triggers: tuple[EventTriggerSpec, ...]) -> list[EventRule]:
    """The rules for an app's triggers, for the constructs and the emulator alike."""
    groups: dict[tuple[str, str | None, str | None], list[EventTriggerSpec]] = {}
    for trigger in triggers:
        groups.setdefault((trigger.function, trigger.bus, trigger.bus_arn), []).append(trigger)
    buses_of: dict[str, int] = {}
    for function, _, _ in groups:
        buses_of[function] = buses_of.get(function, 0) + 1
    rules = []
    for (function, bus, bus_arn), members in groups.items():
        patterns = list({repr(t.pattern): t.pattern for t in members}.values())
        where = bus or (bus_arn.rpartition("/")[2] if bus_arn else "default")
        rules.append(
            EventRule(
                name=f"{function}-events-{where}" if buses_of[function] > 1 else f"{function}-events",
                function=function,
                bus=bus,
                bus_arn=bus_arn,
                pattern=patterns[0] if len(patterns) == 1 else {"$or": patterns},
                triggers=tuple(t.name for t in members),
            )
        )
    return rules


def bus_problems(bus: str, where: str) -> list[str]:
    """What EventBridge refuses of a bus named in a trigger or in `puts_events`."""
    if bus.startswith("arn:"):
        return [] if BUS_ARN.fullmatch(bus) else [f"{where}: {bus!r} is not an event bus ARN"]
    if not BUS_NAME.fullmatch(bus):
        return [f"{where}: {bus!r} is not a bus name (1-256 of letters, digits, . _ - /)"]
    return []


def app_buses(triggers: tuple[EventTriggerSpec, ...], puts: list[tuple[str, ...]]) -> list[str]:
    """The names of the buses of the app's own, from its triggers and its putters, in that order."""
    named = [trigger.bus for trigger in triggers if trigger.bus]
    named += [bus for buses in puts for bus in buses if bus != DEFAULT_BUS and not bus.startswith("arn:")]
    return list(dict.fromkeys(named))


def event_trigger_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[EventTriggerSpec, ...]:
    from servey_cdk.appspec import EventTriggerSpec
    from servey_cdk.event_patterns import pattern_problems
    from servey_cdk.signature import signature_of

    specs = []
    for action in actions:
        for put_bus in action.puts_events:  # the putting side of the buses, checked with the triggers
            problems += bus_problems(put_bus, f"action {action.name!r} puts_events")
        triggers = action.triggers_of(EventTrigger)
        for index, trigger in enumerate(triggers):
            where = f"action {action.name!r} event trigger"
            pattern = full_pattern(trigger)
            problems += [f"{where}: {problem}" for problem in pattern_problems(pattern)]
            if not pattern:
                problems.append(f"{where}: give a source, a detail_type or a pattern (none matches nothing)")
            if trigger.bus is not None:
                problems += bus_problems(trigger.bus, where)
            try:
                inputs = signature_of(action).inputs
            except TypeError:
                continue  # reported with the action
            names = [p.name for p in inputs]
            required = [p.name for p in inputs if p.required]
            if EVENT_PARAMETER in names:
                parameter = EVENT_PARAMETER
                others = [name for name in required if name != EVENT_PARAMETER]
            else:
                parameter = required[0] if required else ""
                others = required[1:]
            if not parameter or others:
                problems.append(
                    f"{where}: the action takes the event's detail as its one required parameter, "
                    f"or declares {EVENT_PARAMETER!r}"
                )
            bus = trigger.bus
            specs.append(
                EventTriggerSpec(
                    name=trigger_name(f"{action.name}-events", index, len(triggers)),
                    action=action.name,
                    function=function_of[action.name],
                    pattern=pattern,
                    bus=None if bus is None or bus == DEFAULT_BUS or bus.startswith("arn:") else bus,
                    bus_arn=bus if bus is not None and bus.startswith("arn:") else None,
                    parameter=parameter,
                    whole_event=parameter == EVENT_PARAMETER,
                )
            )
    return tuple(specs)
