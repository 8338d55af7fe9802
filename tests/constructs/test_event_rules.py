"""ServeyEventRules: the EventBridge test app's own bus, the default bus and an existing one, synthesized
through jsii and checked by cdk-nag, cfn-lint and checkov."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from cfnlint.api import ManualArgs, lint

from constructs_lib import PropsError, ServeyEventRules
from constructs_lib.event_rules import MAX_EVENT_AGE, RETRY_ATTEMPTS, event_rules_problems
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec
from servey_cdk.wire import named_by
from tests.constructs.conftest import AppStack, synthesized_app_stack
from tests.constructs.template_queries import (
    Resources,
    actions_of,
    app_function,
    dead_letter_alarm,
    of_type,
    policy_statements,
    role_of,
)
from tests.constructs.test_quality_gates import _checkov_failures, _nag_findings
from tests.eventbridge.shop_app import PARTNER_BUS_ARN

STACK = "ShopApp"


@pytest.fixture(scope="module")
def shop_spec() -> AppSpec:
    return load_spec("tests.eventbridge.shop_app")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, shop_spec: AppSpec) -> AppStack:
    return synthesized_app_stack(tmp_path_factory.mktemp("shop.out"), shop_spec, STACK)


def _rule_of(resources: Resources, function: str) -> dict[str, Any]:
    function_id, _ = app_function(resources, function)
    (found,) = [
        value["Properties"]
        for value in of_type(resources, "AWS::Events::Rule").values()
        if value["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    return found


def test_GIVEN_a_bus_of_the_apps_own_THEN_it_is_created_and_named_for_the_stack(shop: AppStack) -> None:
    (bus_id, bus), *others = of_type(shop.resources, "AWS::Events::EventBus").items()
    assert others == []
    assert named_by(bus["Properties"]["Name"], {"shop"}) == "shop"
    assert bus["Properties"]["Name"].startswith(STACK)
    for function in ("on_order", "on_big_order"):
        assert _rule_of(shop.resources, function)["EventBusName"] == {"Ref": bus_id}
    assert list(shop.stack.app.event_buses) == ["shop", PARTNER_BUS_ARN]


def test_GIVEN_two_triggers_of_a_function_on_the_default_bus_THEN_its_one_rule_has_their_or(
    shop: AppStack, shop_spec: AppSpec
) -> None:
    rule = _rule_of(shop.resources, "on_build")
    assert "EventBusName" not in rule
    (first, second) = (t.pattern for t in shop_spec.event_triggers if t.action == "on_build")
    assert rule["EventPattern"] == {"$or": [first, second]}
    assert first["detail"] == {"build-status": [{"anything-but": "IN_PROGRESS"}]}
    assert _rule_of(shop.resources, "on_big_order")["EventPattern"] == {
        "detail": {"total": [{"numeric": [">=", 100]}]},
        "source": ["shop.orders"],
        "detail-type": ["Order Placed"],
    }


def test_GIVEN_an_existing_bus_arn_THEN_the_rule_is_put_on_it(shop: AppStack) -> None:
    assert _rule_of(shop.resources, "on_partner_invoice")["EventBusName"] == "partner"


def test_GIVEN_each_rule_THEN_its_target_is_retried_then_dead_lettered_and_may_invoke_the_function(
    shop: AppStack,
) -> None:
    queues = of_type(shop.resources, "AWS::SQS::Queue")
    permissions = [
        value["Properties"] for value in of_type(shop.resources, "AWS::Lambda::Permission").values()
    ]
    rule_ids = {
        json.dumps(p["Properties"]): name for name, p in of_type(shop.resources, "AWS::Events::Rule").items()
    }
    for function in ("on_order", "on_big_order", "on_build", "on_partner_invoice"):
        rule = _rule_of(shop.resources, function)
        (target,) = rule["Targets"]
        assert target["RetryPolicy"] == {
            "MaximumRetryAttempts": RETRY_ATTEMPTS,
            "MaximumEventAgeInSeconds": int(MAX_EVENT_AGE.to_seconds()),
        }
        (queue_id, _) = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"]
        assert queues[queue_id]["Properties"]["SqsManagedSseEnabled"] is True
        assert dead_letter_alarm(shop.resources, queue_id)["Threshold"] == 0  # any dead letter alarms
        function_id, _ = app_function(shop.resources, function)
        rule_arn = {"Fn::GetAtt": [rule_ids[json.dumps(rule)], "Arn"]}
        assert {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "events.amazonaws.com",
            "SourceArn": rule_arn,
        } in permissions
    policies = of_type(shop.resources, "AWS::SQS::QueuePolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert {"Bool": {"aws:SecureTransport": "false"}} in [s.get("Condition") for s in statements]
    sends = [s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert [s["Action"] for s in sends] == ["sqs:SendMessage"] * 4


def _puts(resources: Resources, function: str) -> list[Any]:
    """The resources of the `events:PutEvents` statements of a function's role."""
    statements = policy_statements(resources, role_of(resources, function))
    assert all(
        statement["Action"] == "events:PutEvents"
        for statement in statements
        if "events:" in json.dumps(statement)
    )
    return [s["Resource"] for s in statements if s["Action"] == "events:PutEvents"]


def test_GIVEN_actions_that_put_events_THEN_each_function_may_put_to_exactly_the_buses_it_declares(
    shop: AppStack,
) -> None:
    (bus_id,) = of_type(shop.resources, "AWS::Events::EventBus")
    assert _puts(shop.resources, "place_order") == [{"Fn::GetAtt": [bus_id, "Arn"]}]
    partner_bus, default_bus = _puts(shop.resources, "announce")  # in the order of their names
    assert partner_bus == PARTNER_BUS_ARN
    assert default_bus["Fn::Join"][1][-1] == ":event-bus/default"
    assert _puts(shop.resources, "sneak_order") == [default_bus]
    for function in ("on_order", "on_build", "heard"):
        assert "events:PutEvents" not in actions_of(
            policy_statements(shop.resources, role_of(shop.resources, function))
        )


def test_GIVEN_a_putter_of_a_bus_of_the_apps_own_THEN_it_alone_learns_the_deployed_bus_name(
    shop: AppStack,
) -> None:
    (bus_id,) = of_type(shop.resources, "AWS::Events::EventBus")
    variables = app_function(shop.resources, "place_order")[1]["Environment"]["Variables"]
    assert variables["SERVEY_EVENT_BUS_SHOP"] == {"Ref": bus_id}
    for function in ("announce", "sneak_order", "on_order"):
        variables = app_function(shop.resources, function)[1]["Environment"]["Variables"]
        assert not [name for name in variables if name.startswith("SERVEY_EVENT_BUS_")]


def test_GIVEN_the_event_rules_stack_WHEN_cdk_nag_cfn_lint_and_checkov_run_THEN_none_finds_a_problem(
    shop: AppStack,
) -> None:
    assert _nag_findings(shop.outdir) == []
    assert shop.validation_error is None
    matches = lint(shop.template_path.read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []
    assert _checkov_failures(shop.template_path) == []


def test_GIVEN_props_servey_sets_or_naming_unknown_buses_THEN_all_are_reported_at_once(
    shop_spec: AppSpec, fresh_app: cdk.App
) -> None:
    stack = cdk.Stack(fresh_app, "Invalid")
    given: dict[str, events.IEventBus] = {"billing": None}  # type: ignore[dict-item]
    bus_props = {"event_bus_name": "one", "descripton": "x"}
    rule_props = {"event_pattern": None, "rule_name": "one"}
    with pytest.raises(PropsError) as raised:
        ServeyEventRules(
            stack, "Events", spec=shop_spec, functions=None,  # type: ignore[arg-type]
            event_bus_props=bus_props, event_rule_props=rule_props, existing_buses=given,
        )  # fmt: skip
    assert raised.value.problems == tuple(event_rules_problems(shop_spec, bus_props, rule_props, given))
    assert len(raised.value.problems) == 5
