"""EventBridge scheduled events and EventBridge Scheduler inputs."""

from __future__ import annotations

import pytest

from sample_app import scheduled
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from servey_cdk.errors import NotFound
from tests.conftest import FakeLambdaContext, load_event


def test_GIVEN_an_eventbridge_rule_event_WHEN_handled_THEN_the_rules_action_runs(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    before = len(scheduled.TICKS)
    assert app.handle(load_event("eventbridge_scheduled"), context) == before + 1


def test_GIVEN_the_scheduler_input_WHEN_handled_THEN_the_named_schedule_runs(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("scheduler_event"), context) == "report done"


def test_GIVEN_the_scheduler_default_notification_WHEN_handled_THEN_the_schedule_arn_names_it(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("scheduler_default_event"), context) == "report done"


def test_GIVEN_an_unknown_schedule_WHEN_handled_THEN_not_found(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    with pytest.raises(NotFound, match="no_such_schedule"):
        app.handle({"servey_schedule": "no_such_schedule"}, context)


def test_GIVEN_a_per_action_function_WHEN_any_rule_fires_THEN_its_own_action_runs(
    sample_registry: Registry, context: FakeLambdaContext
) -> None:
    event = load_event("eventbridge_scheduled")
    event["resources"] = ["arn:aws:events:us-east-1:123456789012:rule/some-other-name"]
    assert LambdaApp(sample_registry, function="nightly_report").handle(event, context) == "report done"
