"""SNS notifications routed to actions with an SnsTrigger, replaying AWS-shaped events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from servey_cdk import SnsTrigger, action, get_action
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.sns import SnsEventsFailed
from servey_cdk.discovery import Registry
from servey_cdk.errors import AppDefinitionError
from servey_cdk.triggers.sns import filter_matches, subscription_filter_policy
from tests.conftest import FakeLambdaContext, load_event

NOTICES: list[Any] = []


@action(triggers=SnsTrigger("orders", filter_policy={"kind": ["placed", "cancelled"]}))
def on_order(message: Any, subject: str | None = None, attributes: dict[str, Any] | None = None) -> str:
    if message == "fail":
        raise RuntimeError("boom")
    NOTICES.append((message, subject, (attributes or {}).get("kind")))
    return "ok"


@pytest.fixture
def sns_app() -> LambdaApp:
    NOTICES.clear()
    return LambdaApp(Registry("tests.aws.test_sns", Path(__file__).parent, (get_action(on_order),)))


def test_GIVEN_a_json_message_WHEN_handled_THEN_the_action_gets_it_parsed_with_subject_and_attributes(
    sns_app: LambdaApp, context: FakeLambdaContext
) -> None:
    sns_app.handle(load_event("sns/sns_notification"), context)
    assert NOTICES == [({"order_id": 1042, "total": 19.5}, "order 1042", "placed")]


def test_GIVEN_a_text_message_WHEN_handled_THEN_the_action_gets_the_text(
    sns_app: LambdaApp, context: FakeLambdaContext
) -> None:
    sns_app.handle(load_event("sns/sns_text_message"), context)
    assert NOTICES == [("order 1043 was cancelled", None, "cancelled")]


def test_GIVEN_attributes_outside_the_filter_policy_WHEN_handled_THEN_no_action_runs(
    sns_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sns/sns_notification")
    event["Records"][0]["Sns"]["MessageAttributes"]["kind"]["Value"] = "shipped"
    assert sns_app.handle(event, context) == []
    assert NOTICES == []


def test_GIVEN_another_topic_WHEN_handled_THEN_no_action_runs(
    sns_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sns/sns_notification")
    event["Records"][0]["Sns"]["TopicArn"] = "arn:aws:sns:eu-west-1:210987654321:invoices"
    assert sns_app.handle(event, context) == []


def test_GIVEN_a_failing_record_WHEN_handled_THEN_the_others_run_and_the_invocation_fails(
    sns_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sns/sns_notification")
    failing = load_event("sns/sns_text_message")["Records"][0]
    failing["Sns"]["Message"] = "fail"
    event["Records"].insert(0, failing)
    with pytest.raises(SnsEventsFailed):
        sns_app.handle(event, context)
    assert NOTICES == [({"order_id": 1042, "total": 19.5}, "order 1042", "placed")]


def _problems(*actions: Any) -> str:
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(Registry("tests.aws.test_sns", Path(__file__).parent, tuple(map(get_action, actions))))
    return str(raised.value)


def test_GIVEN_both_topic_and_arn_WHEN_built_THEN_the_error_names_the_action() -> None:
    @action(name="both", triggers=SnsTrigger("a", topic_arn="arn:aws:sns:us-east-1:123456789012:a"))
    def both(message: str) -> None: ...

    assert "action 'both' SnsTrigger: give exactly one of topic and topic_arn" in _problems(both)


def test_GIVEN_a_bad_arn_and_no_message_parameter_WHEN_built_THEN_both_are_reported() -> None:
    @action(name="bad", triggers=SnsTrigger(topic_arn="arn:aws:sqs:us-east-1:123456789012:a"))
    def bad() -> None: ...

    problems = _problems(bad)
    assert "is not an SNS topic ARN" in problems
    assert "the message as its one required parameter" in problems


def test_GIVEN_an_existing_topic_arn_WHEN_built_THEN_the_spec_keeps_its_name_and_arn() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:events"

    @action(name="existing", triggers=SnsTrigger(topic_arn=arn))
    def existing(message: str) -> None: ...

    spec = build_spec(Registry("tests.aws.test_sns", Path(__file__).parent, (get_action(existing),)))
    (entry,) = spec.sns_triggers
    assert (entry.topic, entry.topic_arn, entry.action) == ("events", arn, "existing")
    assert type(spec).from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize(
    ("policy", "attributes", "passes"),
    [
        ({"kind": ["placed"]}, {"kind": "placed"}, True),
        ({"kind": ["placed"]}, {"kind": "shipped"}, False),
        ({"kind": ["placed"]}, {}, False),
        ({"channels": ["web"]}, {"channels": ["mobile", "web"]}, True),
        ({"kind": [{"exists": False}]}, {}, True),
        ({"kind": [{"prefix": "pl"}]}, {"kind": "placed"}, True),
        ({"kind": [{"anything-but": ["placed"]}]}, {"kind": "placed"}, False),
        ({"price": [10]}, {"price": "10"}, True),
    ],
)
def test_GIVEN_a_filter_policy_WHEN_matched_THEN_sns_exact_and_list_semantics_hold(
    policy: dict[str, Any], attributes: dict[str, Any], passes: bool
) -> None:
    assert filter_matches(policy, attributes) is passes


def test_GIVEN_one_topic_name_for_the_apps_own_and_an_existing_topic_WHEN_built_THEN_it_is_reported() -> None:
    @action(name="own", triggers=SnsTrigger("events"))
    def own(message: str) -> None: ...

    @action(name="theirs", triggers=SnsTrigger(topic_arn="arn:aws:sns:us-east-1:123456789012:events"))
    def theirs(message: str) -> None: ...

    assert "topic name 'events' stands for several topics" in _problems(own, theirs)


@pytest.mark.parametrize(
    ("policies", "combined"),
    [
        ([{"kind": ["placed"]}], {"kind": ["placed"]}),
        ([{"kind": ["placed"]}, {"kind": ["placed"]}], {"kind": ["placed"]}),
        ([{"kind": ["placed"]}, {}], None),
        ([{"kind": ["placed"]}, {"size": [1]}], {"$or": [{"kind": ["placed"]}, {"size": [1]}]}),
    ],
)
def test_GIVEN_the_policies_of_one_functions_triggers_on_a_topic_WHEN_combined_THEN_any_passes(
    policies: list[dict[str, Any]], combined: dict[str, Any] | None
) -> None:
    assert subscription_filter_policy(policies) == combined
