"""Schedule expressions: rates and crons as EventBridge takes them, and their fire times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servey_cdk import FixedRateTrigger, ScheduleTrigger
from servey_cdk.schedule_expressions import (
    CronSchedule,
    ScheduleError,
    aws_cron,
    rate_expression,
    rate_seconds,
)
from servey_cdk.triggers.schedule import schedule_expression

# --- rates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expression"),
    [
        (timedelta(minutes=1), "rate(1 minute)"),
        (timedelta(minutes=5), "rate(5 minutes)"),
        (timedelta(seconds=300), "rate(5 minutes)"),
        (timedelta(hours=1), "rate(1 hour)"),
        (timedelta(minutes=120), "rate(2 hours)"),
        (timedelta(days=1), "rate(1 day)"),
        (timedelta(hours=48), "rate(2 days)"),
        (timedelta(minutes=90), "rate(90 minutes)"),
    ],
)
def test_GIVEN_a_timedelta_THEN_the_rate_uses_the_largest_whole_unit(
    rate: timedelta, expression: str
) -> None:
    assert rate_expression(rate) == expression


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("1 minute", "rate(1 minute)"),
        ("5 minutes", "rate(5 minutes)"),
        ("60 minutes", "rate(1 hour)"),
        ("1 hour", "rate(1 hour)"),
        ("3 hours", "rate(3 hours)"),
        ("1 day", "rate(1 day)"),
        (" 7 days ", "rate(7 days)"),
    ],
)
def test_GIVEN_rate_text_THEN_singular_and_plural_units_are_read(text: str, expression: str) -> None:
    assert rate_expression(text) == expression


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_GIVEN_a_rate_expression_THEN_rate_seconds_is_the_interval(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


@pytest.mark.parametrize(
    "rate",
    [
        timedelta(seconds=90),
        timedelta(seconds=30),
        timedelta(0),
        "0 minutes",
        "5 weeks",
        "minutes",
        "-1 hour",
    ],
)
def test_GIVEN_a_rate_eventbridge_cannot_express_THEN_schedule_error(rate: timedelta | str) -> None:
    with pytest.raises(ScheduleError):
        rate_expression(rate)


def test_GIVEN_a_fixed_rate_trigger_THEN_it_is_a_schedule_of_that_many_seconds() -> None:
    assert FixedRateTrigger(300) == ScheduleTrigger(rate=timedelta(seconds=300))
    assert schedule_expression(FixedRateTrigger(300)) == "rate(5 minutes)"


# --- cron expressions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classic", "eventbridge"),
    [
        ("0 6 * * *", "0 6 * * ? *"),
        ("*/15 * * * *", "*/15 * * * ? *"),
        ("0 9 1 * *", "0 9 1 * ? *"),
        ("0 9 * * 1-5", "0 9 ? * 2-6 *"),  # Monday-Friday: classic 1-5, EventBridge 2-6
        ("0 0 * * 0", "0 0 ? * 1 *"),  # Sunday
        ("0 0 * * 7", "0 0 ? * 1 *"),  # Sunday, the other classic spelling
        ("0 0 * * MON", "0 0 ? * MON *"),
        ("0 0 * * 1/2", "0 0 ? * 2/2 *"),  # a step counts days: it is not a day itself
        ("0 0 * * 1#2", "0 0 ? * 2#2 *"),  # the second Monday: '#2' is an index
    ],
)
def test_GIVEN_a_classic_five_field_cron_THEN_it_becomes_eventbridge_six_fields(
    classic: str, eventbridge: str
) -> None:
    assert aws_cron(classic) == eventbridge


def test_GIVEN_a_six_field_cron_THEN_it_is_kept_as_written() -> None:
    assert aws_cron("0 6 * * ? *") == "0 6 * * ? *"
    assert schedule_expression(ScheduleTrigger(cron="0 6 * * ? *")) == "cron(0 6 * * ? *)"


@pytest.mark.parametrize(
    ("cron", "complaint"),
    [
        ("0 6 1 * 1", "day of month with a day of week"),
        ("0 6 * * MON *", "exactly one of day-of-month and day-of-week"),
        ("0 6 ? * ? *", "exactly one of day-of-month and day-of-week"),
        ("60 * * * ? *", "minutes field: 60 is outside 0-59"),
        ("0 24 * * ? *", "hours field: 24"),
        ("0 0 32 * ? *", "day-of-month field: 32"),
        ("0 0 * 13 ? *", "month field: 13"),
        ("0 0 ? * 8 *", "day-of-week field: 8"),
        ("0 0 ? * MON#6 *", "'#' takes 1 to 5"),
        ("x 0 * * ? *", "not a number or a name"),
        ("0 0 * *", "needs 6 fields"),
    ],
)
def test_GIVEN_a_cron_eventbridge_cannot_express_THEN_the_error_says_why(cron: str, complaint: str) -> None:
    with pytest.raises(ScheduleError, match=complaint.replace("(", r"\(")):
        aws_cron(cron)


def test_GIVEN_neither_rate_nor_cron_THEN_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="exactly one of rate=, cron= or daily_at="):
        schedule_expression(ScheduleTrigger())


def test_GIVEN_both_rate_and_cron_THEN_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="exactly one of rate=, cron= or daily_at="):
        schedule_expression(ScheduleTrigger(rate="5 minutes", cron="0 6 * * ? *"))


def test_GIVEN_an_unknown_time_zone_THEN_schedule_error_names_it() -> None:
    with pytest.raises(ScheduleError, match="'Mars/Olympus'"):
        schedule_expression(ScheduleTrigger(cron="0 6 * * ? *", timezone="Mars/Olympus"))


def test_GIVEN_a_time_zone_on_a_rate_THEN_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="cron and daily schedules only"):
        schedule_expression(ScheduleTrigger(rate="5 minutes", timezone="Europe/Paris"))


# --- fire times --------------------------------------------------------------------------------


def at(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC if zone == "UTC" else ZoneInfo(zone))


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("*/15 * * * ? *", "2026-01-01T10:07:30", "2026-01-01T10:15:00"),
        ("*/15 * * * ? *", "2026-01-01T10:15:00", "2026-01-01T10:30:00"),  # strictly after
        ("0 6 * * ? *", "2026-01-01T07:00:00", "2026-01-02T06:00:00"),
        ("30 9-17/4 * * ? *", "2026-01-01T13:31:00", "2026-01-01T17:30:00"),
        ("0 9 ? * MON *", "2026-01-01T00:00:00", "2026-01-05T09:00:00"),  # 2026-01-01 is a Thursday
        ("0 9 ? * 2-6 *", "2026-01-03T12:00:00", "2026-01-05T09:00:00"),  # Saturday → Monday
        ("0 0 L * ? *", "2026-02-10T00:00:00", "2026-02-28T00:00:00"),
        ("0 0 L * ? *", "2028-02-10T00:00:00", "2028-02-29T00:00:00"),  # leap year
        ("0 0 ? * 2#1 *", "2026-01-06T00:00:00", "2026-02-02T00:00:00"),  # first Monday
        ("0 12 1 JAN,JUL ? *", "2026-01-01T12:00:00", "2026-07-01T12:00:00"),
        ("0 0 1 1 ? 2030", "2026-01-01T00:00:00", "2030-01-01T00:00:00"),
    ],
)
def test_GIVEN_a_cron_THEN_next_after_is_its_first_fire_time_strictly_after(
    cron: str, after: str, expected: str
) -> None:
    assert CronSchedule.parse(cron).next_after(at(after)) == at(expected)


def test_GIVEN_a_time_zone_THEN_fire_times_follow_its_wall_clock_across_daylight_saving() -> None:
    schedule = CronSchedule.parse("cron(0 6 * * ? *)")

    fired = schedule.next_after(at("2026-03-28T12:00:00", "Europe/Paris"))  # DST starts on the 29th

    assert fired == at("2026-03-29T06:00:00", "Europe/Paris")
    assert fired.utcoffset() == timedelta(hours=2)
    assert fired.astimezone(UTC) == at("2026-03-29T04:00:00")


def test_GIVEN_a_cron_that_never_fires_THEN_next_after_says_so() -> None:
    with pytest.raises(ScheduleError, match="never fires"):
        CronSchedule.parse("0 0 31 FEB ? *").next_after(at("2026-01-01T00:00:00"))


@pytest.mark.parametrize(
    ("daily_at", "expression"),
    [("13:00", "cron(0 13 * * ? *)"), ("07:05", "cron(5 7 * * ? *)"), ("0:00", "cron(0 0 * * ? *)")],
)
def test_GIVEN_a_time_of_day_THEN_it_is_a_daily_cron_in_the_schedules_time_zone(
    daily_at: str, expression: str
) -> None:
    trigger = ScheduleTrigger(daily_at=daily_at, timezone="Europe/Stockholm")
    assert schedule_expression(trigger) == expression


@pytest.mark.parametrize("daily_at", ["24:00", "12:60", "noon", "1300"])
def test_GIVEN_a_time_that_is_no_time_of_day_THEN_the_error_names_it(daily_at: str) -> None:
    with pytest.raises(ScheduleError, match=f"daily_at {daily_at!r} is not a time of day"):
        schedule_expression(ScheduleTrigger(daily_at=daily_at))


def test_GIVEN_a_sub_minute_rate_WHEN_built_THEN_the_error_names_the_action_and_says_why() -> None:
    from servey_cdk import action
    from servey_cdk.appspec_builder import build_spec
    from servey_cdk.errors import AppDefinitionError
    from tests.conftest import registry_of

    @action(name="pulse", triggers=FixedRateTrigger(10))
    def pulse() -> None: ...

    with pytest.raises(
        AppDefinitionError, match="action 'pulse' schedule: a rate of 10 seconds cannot be expressed"
    ):
        build_spec(registry_of(pulse))
