"""Schedule triggers and their AppSpec entries (`ScheduleSpec`).

Lambda adapter `servey_cdk/aws/schedule.py`, construct `constructs_lib/schedules.py`,
emulator `local_runtime/schedules.py`; the expressions themselves are
`servey_cdk/schedule_expressions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from servey_cdk.wire import trigger_name

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import ScheduleSpec


@dataclass(frozen=True)
class ScheduleTrigger:
    """Run the action on a schedule: one of a `rate`, a `cron` expression or a time of day.

    `rate` is a timedelta or text such as "5 minutes". `cron` is an EventBridge
    expression of six fields (minutes hours day-of-month month day-of-week year) or a
    classic five-field one. `daily_at` is "HH:MM", every day. A `timezone` (IANA name)
    applies to cron and daily schedules. `immediately` also runs the action once as
    servey-local starts, for development; AWS has no such thing and ignores it.
    """

    rate: timedelta | str | None = None
    cron: str | None = None
    timezone: str | None = None
    daily_at: str | None = None
    immediately: bool = False


def FixedRateTrigger(seconds: int | float) -> ScheduleTrigger:  # noqa: N802 - the seed's name
    """A schedule every `seconds`; AWS can only express whole minutes."""
    return ScheduleTrigger(rate=timedelta(seconds=seconds))


def schedule_expression(trigger: ScheduleTrigger) -> str:
    """The EventBridge expression of a trigger: `rate(...)` or `cron(...)`; `ScheduleError` if none."""
    # Imported here: the expressions need zoneinfo and calendar, which nothing on Lambda needs.
    from servey_cdk.schedule_expressions import (
        ScheduleError,
        aws_cron,
        daily_cron,
        rate_expression,
        timezone_of,
    )

    given = [value for value in (trigger.rate, trigger.cron, trigger.daily_at) if value is not None]
    if len(given) != 1:
        raise ScheduleError("a ScheduleTrigger needs exactly one of rate=, cron= or daily_at=")
    timezone_of(trigger.timezone)
    if trigger.rate is not None:
        if trigger.timezone is not None:
            raise ScheduleError("a time zone applies to cron and daily schedules only")
        return rate_expression(trigger.rate)
    if trigger.daily_at is not None:
        return f"cron({daily_cron(trigger.daily_at)})"
    assert trigger.cron is not None
    return f"cron({aws_cron(trigger.cron)})"


def schedule_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[ScheduleSpec, ...]:
    from servey_cdk.appspec import ScheduleSpec
    from servey_cdk.schedule_expressions import ScheduleError
    from servey_cdk.signature import signature_of

    schedules = []
    for action in actions:
        triggers = action.triggers_of(ScheduleTrigger)
        for index, trigger in enumerate(triggers):
            try:
                expression = schedule_expression(trigger)
            except ScheduleError as error:
                problems.append(f"action {action.name!r} schedule: {error}")
                continue
            if any(parameter.required for parameter in signature_of(action).inputs):
                problems.append(
                    f"action {action.name!r} schedule: a scheduled action takes no required parameters"
                )
            schedules.append(
                ScheduleSpec(
                    name=trigger_name(action.name, index, len(triggers)),
                    action=action.name,
                    function=function_of[action.name],
                    expression=expression,
                    timezone=trigger.timezone,
                    immediately=trigger.immediately,
                )
            )
    return tuple(schedules)
