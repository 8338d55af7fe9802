"""ServeyQueues for a fan-out subscription: one topic, each linked queue subscribed raw with its
filter policy, the publisher allowed to publish to the topic alone; checked by cdk-nag, cfn-lint
and checkov as every stack is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cfnlint.api import ManualArgs, lint
from constructs import Construct

from constructs_lib import ServeyStack
from constructs_lib.app import publishing_problems
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec_builder import load_spec
from tests.constructs.conftest import _nag_checked_synth
from tests.constructs.template_queries import (
    Resources,
    actions_of,
    app_function,
    apps_own,
    of_type,
    policy_statements,
    role_of,
)
from tests.constructs.test_quality_gates import _checkov_failures, _nag_findings

STACK = "FanOutApp"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ServeyStack, Resources, str | None]:
    outdir = tmp_path_factory.mktemp("fan_out.out")
    app = cdk.App(outdir=str(outdir))
    spec = load_spec("tests.sns.fan_out_app")
    stack = ServeyStack(app, STACK, spec=spec, app_props={"layer_cache_dir": default_cache_dir()})
    error = _nag_checked_synth(app)
    resources = json.loads((outdir / f"{STACK}.template.json").read_text())["Resources"]
    return outdir, stack, resources, error


def _subscriptions(resources: Resources) -> dict[str, dict[str, Any]]:
    """The topic's subscriptions by the logical id of the queue they deliver to."""
    return {
        value["Properties"]["Endpoint"]["Fn::GetAtt"][0]: value["Properties"]
        for value in of_type(resources, "AWS::SNS::Subscription").values()
    }


def _logical_id(stack: ServeyStack, construct: Construct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return str(stack.resolve(resource.logical_id))


def test_GIVEN_a_fan_out_subscription_THEN_each_queue_is_subscribed_raw_with_its_filter_policy(
    synthesized: tuple[Path, ServeyStack, Resources, str | None],
) -> None:
    _, stack, resources, _ = synthesized
    queues = stack.app.parts.queues
    assert queues is not None
    (topic_id,) = apps_own(resources, "AWS::SNS::Topic", stack.app)
    by_queue = _subscriptions(resources)
    ids = {name: _logical_id(stack, queue) for name, queue in queues.queues.items()}
    bill, audit = by_queue[ids["order_events-bill"]], by_queue[ids["order_events-audit"]]
    assert (bill["Protocol"], bill["RawMessageDelivery"]) == ("sqs", True)
    assert bill["TopicArn"] == {"Ref": topic_id}
    assert bill["FilterPolicy"] == {"kind": ["placed"]}
    assert "FilterPolicy" not in audit
    assert audit["RawMessageDelivery"] is True
    dead_letters = _logical_id(stack, queues.dead_letter_queues["order_events-bill"])
    assert bill["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]}}


def test_GIVEN_the_publisher_THEN_it_may_publish_to_the_topic_and_send_to_no_queue(
    synthesized: tuple[Path, ServeyStack, Resources, str | None],
) -> None:
    _, stack, resources, _ = synthesized
    (topic_id,) = apps_own(resources, "AWS::SNS::Topic", stack.app)
    queues = stack.app.parts.queues
    assert queues is not None
    linked = {json.dumps(stack.resolve(queue.queue_arn)) for queue in queues.queues.values()}
    statements = policy_statements(resources, role_of(resources, "place_order"))
    assert "sns:Publish" in actions_of(statements)
    assert not [s for s in statements if json.dumps(s["Resource"]) in linked]  # only its own DLQ's
    (publish,) = [s for s in statements if s["Action"] == "sns:Publish"]
    assert publish["Resource"] == {"Ref": topic_id}
    variables = app_function(resources, "place_order")[1]["Environment"]["Variables"]
    assert variables["SERVEY_TOPIC_ORDER_EVENTS"] == {"Ref": topic_id}
    assert not [name for name in variables if name.startswith("SERVEY_QUEUE_")]
    app = stack.app
    assert publishing_problems(app.spec, app.parts.queues, app.parts.websocket) == []
    assert publishing_problems(app.spec, None, None) == [
        "action 'place_order' publishes to 'order_events', but its function 'place_order' has no ARN of, "
        "or grant to publish to, its topic"
    ]


def test_GIVEN_the_fan_out_stack_WHEN_cdk_nag_cfn_lint_and_checkov_run_THEN_none_finds_a_problem(
    synthesized: tuple[Path, ServeyStack, Resources, str | None],
) -> None:
    outdir, _, _, error = synthesized
    assert _nag_findings(outdir) == []
    assert error is None
    template = (outdir / f"{STACK}.template.json").read_text()
    matches = lint(template, config=ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []
    assert _checkov_failures(outdir / f"{STACK}.template.json") == []
