"""Schedule expressions as EventBridge takes them, checked at build time.

`rate(...)` allows whole minutes, hours or days. `cron(...)` has six fields
(minutes hours day-of-month month day-of-week year); one of the two day fields must be
`?`. A classic five-field cron is converted. `CronSchedule.next_after` computes fire
times for the local emulator, so a schedule runs locally when it would on AWS.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RATE_TEXT = re.compile(r"^\s*(\d+)\s*(minute|minutes|hour|hours|day|days)\s*$")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_MONTHS = {name: index for index, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_FieldSpec = tuple[str, int, int, dict[str, int]]  # name, low, high, names
_FIELDS: tuple[_FieldSpec, ...] = (
    ("minutes", 0, 59, {}),
    ("hours", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {name.upper(): i for name, i in _MONTHS.items()}),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, {}),
)


class ScheduleError(ValueError):
    pass


def rate_expression(rate: timedelta | str) -> str:
    """`rate(5 minutes)` for a timedelta or text; whole minutes of at least one only."""
    if isinstance(rate, str):
        match = _RATE_TEXT.match(rate)
        if not match:
            raise ScheduleError(f"rate {rate!r} is not '<n> minutes|hours|days'")
        minutes = int(match.group(1)) * _UNIT_MINUTES[match.group(2).rstrip("s")]
    else:
        seconds = rate.total_seconds()
        if seconds < 60 or seconds % 60:
            raise ScheduleError(
                f"a rate of {seconds:g} seconds cannot be expressed: EventBridge rates are "
                "whole minutes, at least one"
            )
        minutes = int(seconds // 60)
    if minutes < 1:
        raise ScheduleError("a rate must be at least one minute")
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes % size == 0:
            count = minutes // size
            return f"rate({count} {unit}{'' if count == 1 else 's'})"
    raise AssertionError("unreachable: minutes always divide")


def daily_cron(time_of_day: str) -> str:
    """`"13:05"` → `"5 13 * * ? *"`: every day at that time (of the schedule's time zone)."""
    match = _TIME_OF_DAY.match(time_of_day)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError(f"daily_at {time_of_day!r} is not a time of day 'HH:MM' (00:00 to 23:59)")
    return f"{int(match.group(2))} {int(match.group(1))} * * ? *"


def rate_seconds(expression: str) -> int:
    """Seconds between runs of a `rate(...)` expression."""
    inner = expression.removeprefix("rate(").removesuffix(")")
    match = _RATE_TEXT.match(inner)
    if not match:
        raise ScheduleError(f"not a rate expression: {expression!r}")
    return int(match.group(1)) * _UNIT_MINUTES[match.group(2).rstrip("s")] * 60


def aws_cron(expression: str) -> str:
    """The six-field EventBridge form of a cron expression, validated."""
    fields = expression.split()
    if len(fields) == 5:
        fields = _from_classic(fields)
    if len(fields) != 6:
        raise ScheduleError(f"cron {expression!r} needs 6 fields (or a classic 5), got {len(fields)}")
    CronSchedule.parse(" ".join(fields))
    return " ".join(fields)


def _from_classic(fields: list[str]) -> list[str]:
    minutes, hours, dom, month, dow = fields
    if dom != "*" and dow != "*":
        raise ScheduleError("EventBridge cannot combine a day of month with a day of week")
    if dow == "*":
        dow = "?"
    else:
        dom = "?"
        # days only: the number after '/' is a step and after '#' an index
        dow = re.sub(r"(?<![/#\d])\d+", lambda m: str(int(m.group()) % 7 + 1), dow)
    return [minutes, hours, dom, month, dow, "*"]


def timezone_of(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r}") from None


@dataclass(frozen=True)
class CronSchedule:
    """A parsed six-field EventBridge cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: '?' (the day-of-week field decides)
    last_day: bool
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1 = Sunday, as in EventBridge; None: '?'
    nth_weekday: tuple[int, int] | None  # (weekday, n) for 'd#n'
    years: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        parts = expression.removeprefix("cron(").removesuffix(")").split()
        if len(parts) != 6:
            raise ScheduleError(f"cron {expression!r} needs 6 fields, got {len(parts)}")
        minutes, hours, dom, month, dow, year = parts
        if (dom == "?") == (dow == "?"):
            raise ScheduleError(
                f"cron {expression!r}: exactly one of day-of-month and day-of-week must be '?'"
            )
        nth: tuple[int, int] | None = None
        if "#" in dow:
            day, _, index = dow.partition("#")
            nth = (_value(day, _FIELDS[4]), int(index))
            if not 1 <= nth[1] <= 5:
                raise ScheduleError(f"cron {expression!r}: '#' takes 1 to 5")
        return cls(
            minutes=_field(minutes, _FIELDS[0]),
            hours=_field(hours, _FIELDS[1]),
            days=None if dom in ("?", "L") else _field(dom, _FIELDS[2]),
            last_day=dom == "L",
            months=_field(month, _FIELDS[3]),
            weekdays=None if dow == "?" or nth else _field(dow, _FIELDS[4]),
            nth_weekday=nth,
            years=_field(year, _FIELDS[5]),
        )

    def matches_day(self, moment: datetime) -> bool:
        if self.last_day:
            return moment.day == calendar.monthrange(moment.year, moment.month)[1]
        if self.days is not None:
            return moment.day in self.days
        weekday = (moment.isoweekday() % 7) + 1  # Monday=1..Sunday=7 → Sunday=1
        if self.nth_weekday is not None:
            day, index = self.nth_weekday
            return weekday == day and (moment.day - 1) // 7 + 1 == index
        return self.weekdays is not None and weekday in self.weekdays

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment` (in `moment`'s time zone)."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=366 * 5)
        while candidate < limit:
            if candidate.year not in self.years or candidate.month not in self.months:
                candidate = _start_of_next_month(candidate)
            elif not self.matches_day(candidate):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
            elif candidate.hour not in self.hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise ScheduleError("the cron expression never fires in the next five years")


def _start_of_next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0)


def _value(text: str, spec: _FieldSpec) -> int:
    name, low, high, names = spec
    value = names.get(text.upper()) if text.upper() in names else None
    if value is None:
        if not text.isdigit():
            raise ScheduleError(f"cron {name} field: {text!r} is not a number or a name")
        value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"cron {name} field: {value} is outside {low}-{high}")
    return value


def _field(text: str, spec: _FieldSpec) -> frozenset[int]:
    _, low, high, _ = spec
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if step_text and not step_text.isdigit():
            raise ScheduleError(f"cron {spec[0]} field: bad step in {part!r}")
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _value(first, spec), _value(last, spec)
        else:
            start = _value(span, spec)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)
