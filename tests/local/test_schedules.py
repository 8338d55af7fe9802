"""Schedules: EventBridge-shaped events at each rate or cron time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from local_runtime.schedules import Scheduler, next_fire_time, schedule_event
from sample_app.scheduled import TICKS
from servey_cdk.appspec import AppSpec, ScheduleSpec

RATE = ScheduleSpec("tick", "tick", "tick", "rate(5 minutes)", None)
CRON = ScheduleSpec("nightly_report", "nightly_report", "nightly_report", "cron(0 6 * * ? *)", "Europe/Paris")


def test_GIVEN_a_rate_WHEN_asked_for_the_next_time_THEN_it_is_one_period_later() -> None:
    now = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert next_fire_time(RATE, now) == datetime(2026, 1, 1, 12, 5, 30, tzinfo=UTC)


def test_GIVEN_a_cron_in_a_time_zone_WHEN_asked_for_the_next_time_THEN_it_is_in_that_zone() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    fire = next_fire_time(CRON, now)
    assert fire == datetime(2026, 7, 2, 6, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert fire.astimezone(UTC).hour == 4


def test_GIVEN_a_schedule_with_or_without_a_time_zone_WHEN_fired_THEN_the_event_is_its_input() -> None:
    assert schedule_event(RATE) == {"servey_schedule": "tick"}
    assert schedule_event(CRON) == {"servey_schedule": "nightly_report"}


def test_GIVEN_a_schedule_WHEN_fired_through_the_debug_endpoint_THEN_the_handler_runs_its_action(
    client: TestClient,
) -> None:
    before = len(TICKS)
    response = client.post("/_servey/schedules/tick")
    assert response.json() == {"schedule": "tick", "result": before + 1}


def test_GIVEN_an_unknown_schedule_WHEN_fired_THEN_404_naming_the_known_ones(client: TestClient) -> None:
    response = client.post("/_servey/schedules/nope")
    assert response.status_code == 404
    assert "tick" in response.json()["detail"]


def test_GIVEN_running_schedules_WHEN_stopped_THEN_no_task_is_left(spec: AppSpec) -> None:
    def function(event: Any, context: LambdaContext) -> None:
        return None

    async def scenario() -> tuple[int, int]:
        scheduler = Scheduler((RATE, CRON), FunctionInvoker(spec, function))
        scheduler.start()
        await asyncio.sleep(0)
        running = len(asyncio.all_tasks()) - 1
        await scheduler.stop()
        return running, len(asyncio.all_tasks()) - 1

    assert asyncio.run(scenario()) == (2, 0)


def test_GIVEN_a_schedule_to_run_immediately_WHEN_the_scheduler_starts_THEN_it_fires_once_at_once(
    spec: AppSpec,
) -> None:
    fired: list[Any] = []

    def function(event: Any, context: LambdaContext) -> None:
        fired.append(event)

    async def scenario() -> None:
        daily = ScheduleSpec(
            "report", "report", "report", "cron(0 13 * * ? *)", "Europe/Stockholm", immediately=True
        )
        scheduler = Scheduler((daily, RATE), FunctionInvoker(spec, function))
        scheduler.start()
        for _ in range(100):
            if fired:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        await scheduler.stop()

    asyncio.run(scenario())
    assert fired == [{"servey_schedule": "report"}]  # the rate schedule's first time is 5 minutes away
