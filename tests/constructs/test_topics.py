"""ServeyTopics: the SNS test app's own topic and an existing one, synthesized through jsii and checked
by cdk-nag, cfn-lint and checkov."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from cfnlint.api import ManualArgs, lint

from constructs_lib import PropsError, ServeyStack, ServeyTopics
from constructs_lib.packaging import default_cache_dir
from constructs_lib.topics import topics_problems
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec
from servey_cdk.wire import named_by
from tests.constructs.conftest import _nag_checked_synth
from tests.constructs.template_queries import Resources, app_function, apps_own, dead_letter_alarm, of_type
from tests.constructs.test_quality_gates import _checkov_failures, _nag_findings
from tests.sns.orders_app import PARTNER_TOPIC_ARN

STACK = "OrdersApp"


@dataclass
class OrdersStack:
    outdir: Path
    stack: ServeyStack
    resources: Resources
    validation_error: str | None


@pytest.fixture(scope="module")
def orders_spec() -> AppSpec:
    return load_spec("tests.sns.orders_app")


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory, orders_spec: AppSpec) -> OrdersStack:
    outdir = tmp_path_factory.mktemp("orders.out")
    app = cdk.App(outdir=str(outdir))
    stack = ServeyStack(app, STACK, spec=orders_spec, app_props={"layer_cache_dir": default_cache_dir()})
    validation_error = _nag_checked_synth(app)
    template = json.loads((outdir / f"{STACK}.template.json").read_text())
    return OrdersStack(outdir, stack, template["Resources"], validation_error)


def _subscription_of(resources: Resources, function: str) -> dict[str, Any]:
    function_id, _ = app_function(resources, function)
    (found,) = [
        value["Properties"]
        for value in of_type(resources, "AWS::SNS::Subscription").values()
        if value["Properties"]["Endpoint"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    return found


def test_GIVEN_a_topic_of_the_apps_own_THEN_it_is_encrypted_ssl_only_and_named_for_the_runtime(
    orders: OrdersStack,
) -> None:
    ((topic_id, topic),) = apps_own(orders.resources, "AWS::SNS::Topic", orders.stack.app).items()
    key = topic["Properties"]["KmsMasterKeyId"]["Fn::Join"][1]
    assert key[-1] == ":alias/aws/sns"  # the AWS-managed key's alias, by its ARN
    name = topic["Properties"]["TopicName"]
    assert named_by(name, {"orders", "partner-events"}) == "orders"
    (policy,) = [
        policy
        for policy in of_type(orders.resources, "AWS::SNS::TopicPolicy").values()
        if policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Condition"]) == (
        "Deny", {"Bool": {"aws:SecureTransport": "false"}}
    )  # fmt: skip


def test_GIVEN_a_trigger_with_a_filter_policy_THEN_its_subscription_carries_it_as_sns_json(
    orders: OrdersStack,
) -> None:
    subscription = _subscription_of(orders.resources, "on_order")
    assert subscription["Protocol"] == "lambda"
    assert subscription["FilterPolicy"] == {"kind": ["placed", "cancelled"]}
    assert subscription["TopicArn"] == {"Ref": next(iter(of_type(orders.resources, "AWS::SNS::Topic")))}


def test_GIVEN_an_existing_topic_arn_THEN_the_function_is_subscribed_to_it_and_may_be_invoked_by_it(
    orders: OrdersStack,
) -> None:
    subscription = _subscription_of(orders.resources, "on_partner_event")
    assert subscription["TopicArn"] == PARTNER_TOPIC_ARN
    assert "FilterPolicy" not in subscription
    function_id, _ = app_function(orders.resources, "on_partner_event")
    permissions = [
        value["Properties"]
        for value in of_type(orders.resources, "AWS::Lambda::Permission").values()
        if value["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert {(p["Principal"], json.dumps(p["SourceArn"])) for p in permissions} >= {
        ("sns.amazonaws.com", json.dumps(PARTNER_TOPIC_ARN))
    }
    assert list(orders.stack.app.topics) == ["orders", "partner-events"]


def test_GIVEN_each_subscription_THEN_undeliverable_notifications_go_to_an_encrypted_ssl_only_dlq(
    orders: OrdersStack,
) -> None:
    queues = of_type(orders.resources, "AWS::SQS::Queue")
    for function in ("on_order", "on_partner_event"):
        redrive = _subscription_of(orders.resources, function)["RedrivePolicy"]
        (queue_id, _) = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
        assert queues[queue_id]["Properties"]["SqsManagedSseEnabled"] is True
        assert dead_letter_alarm(orders.resources, queue_id)["Threshold"] == 0  # any dead letter alarms
    policies = of_type(orders.resources, "AWS::SQS::QueuePolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert {"Bool": {"aws:SecureTransport": "false"}} in [s.get("Condition") for s in statements]
    assert "sqs:SendMessage" in [s["Action"] for s in statements if s["Principal"] != {"AWS": "*"}]


def test_GIVEN_the_topics_stack_WHEN_cdk_nag_cfn_lint_and_checkov_run_THEN_none_finds_a_problem(
    orders: OrdersStack,
) -> None:
    assert _nag_findings(orders.outdir) == []
    assert orders.validation_error is None
    template = (orders.outdir / f"{STACK}.template.json").read_text()
    matches = lint(template, config=ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []
    assert _checkov_failures(orders.outdir / f"{STACK}.template.json") == []


def test_GIVEN_props_servey_sets_or_naming_unknown_topics_THEN_all_are_reported_at_once(
    orders_spec: AppSpec, fresh_app: cdk.App
) -> None:
    stack = cdk.Stack(fresh_app, "Invalid")
    given: dict[str, sns.ITopic] = {"invoices": None}  # type: ignore[dict-item]
    props = {"topic_name": "one", "fifo": True, "display": "x"}
    with pytest.raises(PropsError) as raised:
        ServeyTopics(
            stack, "Topics", spec=orders_spec, functions=None,  # type: ignore[arg-type]
            topic_props=props, existing_topics=given,
        )  # fmt: skip
    assert raised.value.problems == tuple(topics_problems(orders_spec, props, given))
    assert len(raised.value.problems) == 4
