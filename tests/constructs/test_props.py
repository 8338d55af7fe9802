"""Overrides are checked up front: a key that the CDK class takes no prop of, or one servey-cdk sets
itself, is reported with every other problem, in one PropsError, before anything is built.

GIVEN props with typos WHEN a construct (or ServeyApp) is made THEN it raises, having built nothing.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2

from constructs_lib import (
    PropsError,
    ServeyApp,
    ServeyAuth,
    ServeyFunctions,
    ServeyGraphqlApi,
    ServeyQueues,
    ServeyResources,
    ServeyRestApi,
    ServeySchedules,
    ServeySite,
    ServeyWebSocketApi,
)
from constructs_lib.props import keyword_props
from servey_cdk.appspec import AppSpec

# One typo per override that ServeyApp takes, and the CDK class each is checked against.
TYPOS: dict[str, tuple[str, str]] = {
    "function_props": ("memory", "aws_lambda.Function"),
    "log_group_props": ("retension", "aws_logs.LogGroup"),
    "rest_api_props": ("endpont_types", "aws_apigateway.RestApi"),
    "stage_props": ("throttling_rate", "aws_apigateway.StageOptions"),
    "websocket_stage_props": ("stage", "aws_apigatewayv2.WebSocketStage"),
    "graphql_api_props": ("xray", "aws_appsync.GraphqlApi"),
    "queue_props": ("retention", "aws_sqs.Queue"),
    "dead_letter_queue_props": ("retention_periods", "aws_sqs.Queue"),
    "rule_props": ("enable", "aws_events.Rule"),
    "schedule_props": ("states", "aws_scheduler.CfnSchedule"),
    "table_props": ("billing", "aws_dynamodb.Table"),
    "key_props": ("rotation", "aws_kms.Key"),
    "bucket_props": ("versionned", "aws_s3.Bucket"),
    "distribution_props": ("price", "aws_cloudfront.Distribution"),
}


def _refused(stack: cdk.Stack, make: Any, **props: Any) -> PropsError:
    with pytest.raises(PropsError) as raised:
        make(stack, "Part", **props)
    assert [c.node.id for c in stack.node.find_all()] == [stack.node.id, "Part"]  # nothing built
    return raised.value


def test_GIVEN_a_typo_THEN_the_error_names_the_prop_the_cdk_class_and_the_closest_prop(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    error = _refused(cdk.Stack(fresh_app, "Typo"), ServeyApp, spec=spec, rest_api_props={"endpont_types": []})
    assert error.problems == (
        "rest_api_props['endpont_types'] is not a prop of aws_apigateway.RestApi "
        "(did you mean 'endpoint_types'?)",
    )
    assert str(error).startswith("ServeyApp: 1 invalid prop(s):")


def test_GIVEN_a_typo_in_every_override_THEN_all_are_reported_with_every_other_problem_at_once(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    props: dict[str, Any] = {name: {key: 1} for name, (key, _) in TYPOS.items()}
    props["function_props"]["handler"] = "x.y"  # set from the spec: a problem of another kind
    error = _refused(cdk.Stack(fresh_app, "Typos"), ServeyApp, spec=spec, **props)
    unknown = {p.split("[")[0]: p for p in error.problems if "is not a prop of" in p}
    assert set(unknown) == set(TYPOS)
    for name, (key, cdk_class) in TYPOS.items():
        assert unknown[name].startswith(f"{name}[{key!r}] is not a prop of {cdk_class}")
    assert "function_props['handler'] is set from the app's spec and cannot be overridden" in error.problems
    assert len(error.problems) == len(TYPOS) + 1  # log_group_props, shared by four parts, once


def test_GIVEN_a_cdk_class_THEN_its_props_are_the_keyword_parameters_of_its_init() -> None:
    """No list is kept by hand: the installed aws-cdk-lib's signatures are read."""
    assert {"endpoint_types", "deploy_options", "policy"} <= set(keyword_props(apigateway.RestApi))
    assert not {"scope", "id", "self"} & set(keyword_props(apigateway.RestApi))
    assert "throttling_rate_limit" in keyword_props(apigateway.StageOptions)
    assert "throttling_rate_limit" not in keyword_props(apigatewayv2.WebSocketStage)


def test_GIVEN_a_rest_stage_prop_in_websocket_stage_props_THEN_it_is_refused(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    """The two stages are of different classes, hence ServeyApp's two names for their props."""
    error = _refused(
        cdk.Stack(fresh_app, "Stages"), ServeyApp, spec=spec,
        stage_props={"throttling_rate_limit": 5}, websocket_stage_props={"throttling_rate_limit": 5},
    )  # fmt: skip
    assert error.problems == (
        "websocket_stage_props['throttling_rate_limit'] is not a prop of aws_apigatewayv2.WebSocketStage",
    )


def test_GIVEN_a_key_naming_every_resource_alike_THEN_it_is_refused(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    error = _refused(
        cdk.Stack(fresh_app, "Names"), ServeyApp, spec=spec,
        log_group_props={"log_group_name": "logs"}, dead_letter_queue_props={"queue_name": "dlq"},
        bucket_props={"bucket_name": "b"}, function_props={"function_name": "f"},
    )  # fmt: skip
    assert sorted(p.split("]")[0] + "]" for p in error.problems) == [
        "bucket_props['bucket_name']", "dead_letter_queue_props['queue_name']",
        "function_props['function_name']", "log_group_props['log_group_name']",
    ]  # fmt: skip
    assert all(
        p.endswith("would give each of the resources these props shape the same name") for p in error.problems
    )


@pytest.mark.parametrize(
    ("construct", "props", "problem"),
    [
        (ServeyFunctions, {"function_props": {"memmory_size": 1}}, "function_props['memmory_size']"),
        (
            ServeyFunctions,
            {"dead_letter_queue_props": {"retention": 1}},
            "dead_letter_queue_props['retention']",
        ),
        (ServeyRestApi, {"stage_props": {"stage": "x"}}, "stage_props['stage']"),
        (ServeyGraphqlApi, {"log_group_props": {"retension": 1}}, "log_group_props['retension']"),
        (ServeySchedules, {"rule_props": {"enable": False}}, "rule_props['enable']"),
        (ServeySchedules, {"schedule_props": {"state": "OFF", "target": 1}}, "schedule_props['target']"),
        (ServeyQueues, {"queue_props": {"fifo_queue": True}}, "queue_props['fifo_queue']"),
        (ServeyWebSocketApi, {"stage_props": {"throttling": 1}}, "stage_props['throttling']"),
        (ServeyWebSocketApi, {"table_props": {"billing": 1}}, "table_props['billing']"),
        (ServeyAuth, {"key_props": {"rotate": True}}, "key_props['rotate']"),
        (ServeySite, {"distribution_props": {"comments": ""}}, "distribution_props['comments']"),
        (ServeySite, {"bucket_props": {"versionned": True}}, "bucket_props['versionned']"),
        (ServeyResources, {"bucket_props": {"server_access_logs_prefix": "x/"}}, "bucket_props['server_"),
        (
            ServeyResources,
            {"declared_table_props": {"partition_key": None}},
            "declared_table_props['partition",
        ),
        (ServeyResources, {"secret_props": {"secret_nme": "x"}}, "secret_props['secret_nme']"),
    ],
)
def test_GIVEN_a_typo_WHEN_a_construct_is_made_alone_THEN_it_refuses_before_building(
    spec: AppSpec, fresh_app: cdk.App, construct: Any, props: dict[str, Any], problem: str
) -> None:
    if construct not in (ServeyFunctions, ServeySite):
        props["functions"] = None  # never reached: the props are refused first
    error = _refused(cdk.Stack(fresh_app, "Alone"), construct, spec=spec, **props)
    assert error.construct == construct.__name__
    assert [p for p in error.problems if p.startswith(problem)], error.problems
