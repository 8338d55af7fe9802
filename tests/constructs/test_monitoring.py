"""Alarms, their topic and the dashboard that `ServeyApp` makes by default, and the props that change them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from constructs_lib import AlarmThresholds, PropsError, ServeyApp, ServeyStack
from constructs_lib.builders import logical_id
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import Synthesized
from tests.constructs.template_queries import (
    Resources,
    alarms_on,
    app_function,
    dead_letter_alarm,
    dimensions,
    of_type,
)

EMAIL = "ops@example.com"


def alarms(resources: Resources) -> list[dict[str, Any]]:
    return [value["Properties"] for value in of_type(resources, "AWS::CloudWatch::Alarm").values()]


@pytest.fixture(scope="module")
def sample(synthesized: Synthesized) -> Resources:
    found: Resources = synthesized.templates["SampleApp"]["Resources"]
    return found


def test_GIVEN_the_sample_app_THEN_each_dead_letter_queue_alarms_on_any_message(
    synthesized: Synthesized, sample: Resources
) -> None:
    parts = synthesized.sample.app.parts
    assert parts.queues is not None
    assert parts.schedules is not None
    dead_letters = [
        parts.functions.dead_letter_queue,
        parts.schedules.dead_letter_queue,
        *parts.queues.dead_letter_queues.values(),
    ]
    for queue in dead_letters:
        alarm = dead_letter_alarm(sample, logical_id(queue))
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert len(alarms_on(sample, "ApproximateNumberOfMessagesVisible")) == len(dead_letters)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_GIVEN_the_sample_app_THEN_each_function_alarms_on_its_errors_and_throttles(
    sample: Resources, spec: AppSpec, metric: str
) -> None:
    by_function = {dimensions(alarm)["FunctionName"]["Ref"]: alarm for alarm in alarms_on(sample, metric)}
    for function in spec.functions:
        function_id = app_function(sample, function.name)[0]
        alarm = by_function[function_id]
        assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
            "GreaterThanThreshold",
            0,
            1,
        )
    assert len(by_function) == len(spec.functions)


def test_GIVEN_the_sample_app_THEN_the_rest_api_alarms_on_5xx_and_on_a_p99_latency_over_5_seconds(
    synthesized: Synthesized, sample: Resources
) -> None:
    rest_api = synthesized.sample.app.rest_api
    assert rest_api is not None
    (faults,) = [a for a in alarms_on(sample, "5XXError") if "ApiName" in dimensions(a)]
    assert dimensions(faults)["Stage"] == {"Ref": logical_id(rest_api.deployment_stage)}
    assert (faults["ComparisonOperator"], faults["Threshold"]) == ("GreaterThanThreshold", 0)
    (latency,) = alarms_on(sample, "Latency")
    assert latency.get("ExtendedStatistic") or latency["Metrics"][0]["MetricStat"]["Stat"] == "p99"
    assert latency["Threshold"] == 5000  # milliseconds, as API Gateway reports Latency
    assert dimensions(latency)["ApiName"] == dimensions(faults)["ApiName"]


def test_GIVEN_the_sample_app_THEN_appsync_errors_and_websocket_integration_errors_alarm(
    synthesized: Synthesized, sample: Resources
) -> None:
    graphql_api, websocket = synthesized.sample.app.graphql_api, synthesized.sample.app.parts.websocket
    assert graphql_api is not None
    assert websocket is not None
    (appsync,) = [a for a in alarms_on(sample, "5XXError") if "GraphQLAPIId" in dimensions(a)]
    assert dimensions(appsync)["GraphQLAPIId"] == {"Fn::GetAtt": [logical_id(graphql_api), "ApiId"]}
    (integration,) = alarms_on(sample, "IntegrationError")
    assert dimensions(integration) == {
        "ApiId": {"Ref": logical_id(websocket.web_socket_api)},
        "Stage": websocket.stage.stage_name,
    }
    assert (integration["Threshold"], integration["TreatMissingData"]) == (0, "notBreaching")


def test_GIVEN_the_sample_app_THEN_every_alarm_notifies_one_encrypted_ssl_only_topic(
    synthesized: Synthesized, sample: Resources
) -> None:
    app = synthesized.sample.app
    assert app.monitoring is not None
    assert app.monitoring.alarm_key is not None
    topic_id = logical_id(app.monitoring.alarm_topic)
    assert app.alarm_topic is app.monitoring.alarm_topic
    assert {json.dumps(alarm["AlarmActions"]) for alarm in alarms(sample)} == {
        json.dumps([{"Ref": topic_id}])
    }
    assert len(app.monitoring.alarms) == len(alarms(sample))
    key_id = logical_id(app.monitoring.alarm_key)
    assert sample[topic_id]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert sample[key_id]["Properties"]["EnableKeyRotation"] is True
    key_statements = sample[key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"} for s in key_statements)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(sample, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in p["Properties"]["Topics"]
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    )
    subscribed = [s["Properties"]["TopicArn"] for s in of_type(sample, "AWS::SNS::Subscription").values()]
    assert {"Ref": topic_id} not in subscribed  # no alarm_email given


def test_GIVEN_the_sample_app_THEN_one_dashboard_has_a_section_per_function_api_and_dead_letter_queue(
    synthesized: Synthesized, sample: Resources, spec: AppSpec
) -> None:
    app = synthesized.sample.app
    (dashboard_id,) = of_type(sample, "AWS::CloudWatch::Dashboard")
    assert app.dashboard is not None
    assert logical_id(app.dashboard) == dashboard_id
    body = json.dumps(sample[dashboard_id]["Properties"]["DashboardBody"])
    for function in spec.functions:
        title = f"Function {function.name}" + (
            f" (actions {', '.join(function.actions)})" if function.actions else ""
        )
        assert title in body
        assert app_function(sample, function.name)[0] in body  # its metrics, by the function's name
    for section in ("REST API", "GraphQL API", "Websocket API", "Dead letters: async-invocations"):
        assert section in body


@dataclass
class Variants:
    outdir: Path
    stacks: dict[str, ServeyStack]
    templates: dict[str, Resources]
    users_topic: sns.Topic
    validation_error: str | None


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory, spec: AppSpec) -> Variants:
    """The sample app three ways, in one synth with cdk-nag: with an email and thresholds of its own and
    no dashboard; with monitoring off; and notifying the user's own topic."""
    outdir = tmp_path_factory.mktemp("monitoring.out")
    app = cdk.App(outdir=str(outdir))
    layer = {"layer_cache_dir": default_cache_dir()}
    tuned = AlarmThresholds(api_latency_p99=cdk.Duration.seconds(2), function_throttles=None, dead_letters=3)
    users = cdk.Stack(app, "UsersTopic")
    users_topic = sns.Topic(users, "Pager", enforce_ssl=True, master_key=None)
    stacks = {
        "Tuned": ServeyStack(
            app, "Tuned", spec=spec,
            app_props={**layer, "alarm_email": EMAIL, "alarm_thresholds": tuned, "dashboard": False},
        ),
        "Unwatched": ServeyStack(app, "Unwatched", spec=spec, app_props={**layer, "monitoring": False}),
    }  # fmt: skip
    ServeyApp(users, "Servey", spec=spec, alarm_topic=users_topic, **layer)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    try:
        app.synth()
        validation_error = None
    except RuntimeError as error:
        validation_error = str(error)
    templates = {
        name: json.loads((outdir / f"{name}.template.json").read_text())["Resources"]
        for name in ("Tuned", "Unwatched", "UsersTopic")
    }
    return Variants(outdir, stacks, templates, users_topic, validation_error)


def test_GIVEN_alarm_email_WHEN_synthesized_THEN_the_address_is_subscribed_to_the_alarm_topic(
    variants: Variants,
) -> None:
    tuned = variants.stacks["Tuned"].app
    assert tuned.alarm_topic is not None
    (subscription,) = [
        s["Properties"]
        for s in of_type(variants.templates["Tuned"], "AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "email"
    ]
    assert subscription == {
        "Protocol": "email",
        "Endpoint": EMAIL,
        "TopicArn": {"Ref": logical_id(tuned.alarm_topic)},
    }


def test_GIVEN_alarm_thresholds_THEN_each_alarm_takes_its_own_and_a_none_switches_it_off(
    variants: Variants,
) -> None:
    tuned = variants.templates["Tuned"]
    (latency,) = alarms_on(tuned, "Latency")
    assert latency["Threshold"] == 2000
    assert alarms_on(tuned, "Throttles") == []
    assert alarms_on(tuned, "Errors") != []
    assert {a["Threshold"] for a in alarms_on(tuned, "ApproximateNumberOfMessagesVisible")} == {3}


def test_GIVEN_dashboard_false_THEN_alarms_are_made_and_no_dashboard(variants: Variants) -> None:
    assert of_type(variants.templates["Tuned"], "AWS::CloudWatch::Dashboard") == {}
    assert variants.stacks["Tuned"].app.dashboard is None
    assert alarms(variants.templates["Tuned"]) != []


def test_GIVEN_monitoring_false_THEN_no_alarm_dashboard_or_alarm_topic_is_made(variants: Variants) -> None:
    unwatched = variants.templates["Unwatched"]
    for kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard", "AWS::SNS::Topic"):
        assert of_type(unwatched, kind) == {}
    app = variants.stacks["Unwatched"].app
    assert (app.monitoring, app.alarm_topic, app.dashboard, app.parts.monitoring) == (None, None, None, None)


def test_GIVEN_an_existing_alarm_topic_THEN_alarms_notify_it_and_no_topic_or_key_is_made(
    variants: Variants,
) -> None:
    resources = variants.templates["UsersTopic"]
    topic_id = logical_id(variants.users_topic)
    assert {json.dumps(a["AlarmActions"]) for a in alarms(resources)} == {json.dumps([{"Ref": topic_id}])}
    assert list(of_type(resources, "AWS::SNS::Topic")) == [topic_id]
    assert of_type(resources, "AWS::KMS::Key") != {}  # the token key only
    assert all("Monitoring" not in key_id for key_id in of_type(resources, "AWS::KMS::Key"))


def test_GIVEN_the_variants_WHEN_cdk_nag_runs_THEN_it_reports_no_unacknowledged_findings(
    variants: Variants,
) -> None:
    assert variants.validation_error is None


def test_GIVEN_monitoring_props_in_conflict_THEN_all_are_reported_at_once(spec: AppSpec) -> None:
    stack = cdk.Stack(cdk.App(), "Conflicts")
    with pytest.raises(PropsError) as raised:
        ServeyApp(
            stack, "Off", spec=spec, monitoring=False, alarm_email=EMAIL, alarm_thresholds=AlarmThresholds()
        )
    assert raised.value.problems == (
        "alarm_email is given, but monitoring is off",
        "alarm_thresholds is given, but monitoring is off",
    )
    topic = sns.Topic(stack, "Given")
    with pytest.raises(PropsError) as raised:
        ServeyApp(
            stack, "On", spec=spec, alarm_topic=topic, alarm_topic_props={"enforce_ssl": False, "fifo": True}
        )
    assert raised.value.problems == (
        "alarm_topic_props['enforce_ssl'] is the alarm topic's own: a key CloudWatch may use, and SSL only"
        " (or give alarm_topic)",
        "give alarm_topic_props or alarm_topic, not both: alarm_topic is used as it is",
    )
