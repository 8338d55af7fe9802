"""EventBridge events routed to the actions whose EventTrigger pattern matches, replaying AWS shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from servey_cdk import EventTrigger, action, get_action
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.events import EventBridgeEventFailed
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry, discover
from servey_cdk.errors import AppDefinitionError
from servey_cdk.triggers.events import event_rules
from tests.conftest import FakeLambdaContext, load_event

SEEN: list[tuple[str, Any]] = []


@action(triggers=EventTrigger(source="shop.orders", detail_type="Order Placed"))
def on_order(detail: dict[str, Any]) -> int:
    if detail.get("fail"):
        raise RuntimeError("boom")
    SEEN.append(("on_order", detail["order_id"]))
    return int(detail["order_id"])


@action(
    triggers=(
        EventTrigger(
            source="aws.s3",
            detail_type="Object Created",
            pattern={"detail": {"object": {"key": [{"prefix": "invoices/"}]}}},
        ),
        EventTrigger(
            source="aws.s3",
            detail_type="Object Created",
            pattern={"detail": {"object": {"size": [{"numeric": [">", 1000]}]}}},
        ),
    )
)
def on_upload(event: dict[str, Any]) -> str:
    SEEN.append(("on_upload", event["detail"]["object"]["key"]))
    return str(event["id"])


@action(triggers=EventTrigger(source=("shop.orders", "shop.returns"), bus="shop"))
def audit(detail: dict[str, Any]) -> None:
    SEEN.append(("audit", detail))


ACTIONS = (on_order, on_upload, audit)


def _registry(*actions: Any) -> Registry:
    return Registry("tests.aws.test_events", Path(__file__).parent, tuple(map(get_action, actions)))


@pytest.fixture
def events_app() -> LambdaApp:
    SEEN.clear()
    return LambdaApp(_registry(*ACTIONS))


def test_GIVEN_an_app_event_WHEN_handled_THEN_the_actions_whose_pattern_matches_get_the_detail(
    events_app: LambdaApp, context: FakeLambdaContext
) -> None:
    done = events_app.handle(load_event("eventbridge/order_placed"), context)
    assert {item["action"] for item in done} == {"on_order", "audit"}
    assert ("on_order", 1042) in SEEN
    assert {"action": "on_order", "result": 1042} in done


def test_GIVEN_an_event_matching_two_triggers_of_an_action_WHEN_handled_THEN_it_runs_once_with_the_event(
    events_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("eventbridge/object_created")
    done = events_app.handle(event, context)
    assert done == [{"action": "on_upload", "result": event["id"]}]
    assert SEEN == [("on_upload", "invoices/1042.pdf")]


def test_GIVEN_an_event_no_pattern_matches_WHEN_handled_THEN_nothing_runs_and_a_line_says_so(
    events_app: LambdaApp, context: FakeLambdaContext, caplog: pytest.LogCaptureFixture
) -> None:
    event = load_event("eventbridge/order_placed")
    event["source"] = "billing.invoices"
    assert events_app.handle(event, context) == []
    assert SEEN == []
    assert "no EventTrigger of this function matches the event" in caplog.text


def test_GIVEN_a_scheduled_event_WHEN_handled_by_an_app_without_schedules_THEN_no_event_trigger_takes_it(
    events_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("eventbridge_scheduled")
    with pytest.raises(Exception, match="no source this function claims takes"):
        events_app.handle(event, context)
    assert SEEN == []


def test_GIVEN_a_failing_action_WHEN_handled_THEN_the_other_actions_run_and_the_invocation_fails(
    events_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("eventbridge/order_placed")
    event["detail"]["fail"] = True
    with pytest.raises(EventBridgeEventFailed, match="on_order"):
        events_app.handle(event, context)
    assert [name for name, _ in SEEN] == ["audit"]


def test_GIVEN_the_triggers_WHEN_built_THEN_the_spec_holds_each_and_one_rule_per_function_and_bus() -> None:
    spec = build_spec(_registry(*ACTIONS))
    by_name = {entry.name: entry for entry in spec.event_triggers}
    assert set(by_name) == {"on_order-events", "on_upload-events-1", "on_upload-events-2", "audit-events"}
    assert by_name["on_order-events"].pattern == {"source": ["shop.orders"], "detail-type": ["Order Placed"]}
    assert (by_name["audit-events"].bus, by_name["audit-events"].parameter) == ("shop", "detail")
    assert by_name["on_upload-events-1"].whole_event
    assert type(spec).from_dict(spec.to_dict()) == spec
    rules = {rule.name: rule for rule in event_rules(spec.event_triggers)}
    assert set(rules) == {"on_order-events", "on_upload-events", "audit-events"}
    assert list(rules["on_upload-events"].pattern) == ["$or"]
    assert rules["on_upload-events"].triggers == ("on_upload-events-1", "on_upload-events-2")


def test_GIVEN_a_router_for_all_WHEN_built_THEN_its_rules_are_one_per_bus() -> None:
    from servey_cdk.appspec_builder import BuildSettings

    spec = build_spec(_registry(*ACTIONS), BuildSettings(router_for_all=True))
    rules = {rule.name: rule for rule in event_rules(spec.event_triggers)}
    assert set(rules) == {"router-events-default", "router-events-shop"}
    assert len(rules["router-events-default"].pattern["$or"]) == 3


def _problems(*actions: Any) -> str:
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(_registry(*actions))
    return str(raised.value)


def test_GIVEN_an_empty_trigger_WHEN_built_THEN_the_error_names_the_action() -> None:
    @action(name="empty", triggers=EventTrigger())
    def empty(detail: dict[str, Any]) -> None: ...

    assert "action 'empty' event trigger: give a source, a detail_type or a pattern" in _problems(empty)


def test_GIVEN_a_bad_pattern_and_two_required_parameters_WHEN_built_THEN_both_are_reported() -> None:
    @action(
        name="bad", triggers=EventTrigger(source="a", pattern={"detail": {"n": [{"numeric": [">", "5"]}]}})
    )
    def bad(detail: dict[str, Any], other: int) -> None: ...

    problems = _problems(bad)
    assert "action 'bad' event trigger: pattern.detail.n: 'numeric' does not take" in problems
    assert "the event's detail as its one required parameter" in problems


@pytest.fixture
def build_function() -> LambdaApp:
    """The EventBridge test app's `on_build` function, as its own Lambda function runs it."""
    from tests.eventbridge import shop_app

    shop_app.HEARD.clear()
    return LambdaApp(discover("tests.eventbridge.shop_app"), function="on_build")


def test_GIVEN_a_codebuild_build_that_succeeded_WHEN_both_patterns_match_THEN_the_action_runs_once(
    build_function: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("eventbridge/codebuild_build_succeeded")
    assert build_function.handle(event, context) == [
        {"action": "on_build", "result": event["detail"]["build-id"]}
    ]


@pytest.mark.parametrize(
    ("project", "runs"),
    [("nightly-tests", False), ("release-api", True)],  # anything-but IN_PROGRESS; else prefix and exists
)
def test_GIVEN_a_codebuild_build_in_progress_WHEN_handled_THEN_only_a_release_project_runs_the_action(
    build_function: LambdaApp, context: FakeLambdaContext, project: str, runs: bool
) -> None:
    event = load_event("eventbridge/codebuild_build_in_progress")
    event["detail"]["project-name"] = project
    assert bool(build_function.handle(event, context)) is runs
