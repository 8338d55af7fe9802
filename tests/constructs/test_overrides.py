"""Overrides reach every resource they shape, and resources the caller has are used as given.

GIVEN the sample app synthesized once (with cdk-nag) in a stack that imports a token key by ARN
and a connections table by name, with dead-letter, websocket stage, rule, schedule and log group
overrides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_lib import ServeyApp
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.dynamodb_connections import SUBSCRIPTION_INDEX
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

KEY_ID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
KEY_ARN = f"arn:aws:kms:eu-west-1:123456789012:key/{KEY_ID}"
CONNECTIONS_TABLE = "users-connections"
FOUR_DAYS = 4 * 24 * 3600


@dataclass
class Overridden:
    app: ServeyApp
    resources: Resources
    validation_error: str | None


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory, spec: AppSpec) -> Overridden:
    outdir = tmp_path_factory.mktemp("overridden.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Overridden")
    servey = ServeyApp(
        stack,
        "App",
        spec=spec,
        layer_cache_dir=default_cache_dir(),
        existing_key=kms.Key.from_key_arn(stack, "UsersKey", KEY_ARN),
        existing_table=dynamodb.Table.from_table_name(stack, "UsersConnections", CONNECTIONS_TABLE),
        dead_letter_queue_props={"retention_period": cdk.Duration.days(4)},
        websocket_stage_props={"stage_name": "v1", "description": "the user's stage"},
        rule_props={"enabled": False},
        schedule_props={"state": "DISABLED"},
        log_group_props={"retention": logs.RetentionDays.ONE_WEEK},
    )
    validation_error = _nag_checked_synth(app)
    template = json.loads((Path(outdir) / "Overridden.template.json").read_text())
    return Overridden(servey, template["Resources"], validation_error)


def _only(resources: Resources, type_name: str) -> dict[str, Any]:
    (value,) = of_type(resources, type_name).values()
    properties: dict[str, Any] = value["Properties"]
    return properties


def test_GIVEN_dead_letter_queue_props_THEN_the_functions_dead_letter_queue_takes_them_too(
    overridden: Overridden,
) -> None:
    """ServeyApp passes dead_letter_queue_props on to ServeyFunctions' queue, as to the others."""
    _, function = app_function(overridden.resources, "tick")
    queue = function["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
    assert overridden.resources[queue]["Properties"]["MessageRetentionPeriod"] == FOUR_DAYS
    dead_letters = [q["Properties"] for q in of_type(overridden.resources, "AWS::SQS::Queue").values()]
    dead_letters = [q for q in dead_letters if "RedrivePolicy" not in q]
    assert len(dead_letters) == 3  # the functions', the schedules', the one queue's
    assert {q["MessageRetentionPeriod"] for q in dead_letters} == {FOUR_DAYS}


def test_GIVEN_websocket_stage_props_THEN_the_stage_takes_them_over_the_defaults(
    overridden: Overridden,
) -> None:
    stage = _only(overridden.resources, "AWS::ApiGatewayV2::Stage")
    assert (stage["StageName"], stage["Description"], stage["AutoDeploy"]) == ("v1", "the user's stage", True)
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 100
    assert "DestinationArn" in stage["AccessLogSettings"]


def test_GIVEN_rule_and_schedule_props_THEN_rules_and_schedules_take_them(overridden: Overridden) -> None:
    assert _only(overridden.resources, "AWS::Events::Rule")["State"] == "DISABLED"
    schedule = _only(overridden.resources, "AWS::Scheduler::Schedule")
    assert schedule["State"] == "DISABLED"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"  # the spec's, still


def test_GIVEN_log_group_props_THEN_appsyncs_group_takes_them_and_keeps_its_name(
    overridden: Overridden,
) -> None:
    groups = [g["Properties"] for g in of_type(overridden.resources, "AWS::Logs::LogGroup").values()]
    (appsync,) = [g for g in groups if "/aws/appsync/apis/" in json.dumps(g.get("LogGroupName"))]
    assert appsync["RetentionInDays"] == 7
    assert {g["RetentionInDays"] for g in groups} == {7}


def test_GIVEN_a_key_imported_by_arn_THEN_it_is_used_and_granted_instead_of_a_new_one(
    overridden: Overridden,
) -> None:
    resources = overridden.resources
    assert not apps_own(resources, "AWS::KMS::Key", overridden.app)
    assert overridden.app.parts.auth is not None
    assert overridden.app.key is overridden.app.parts.auth.key
    variables = app_function(resources, "say_hello")[1]["Environment"]["Variables"]
    assert variables["SERVEY_TOKEN_KEY_ID"] == KEY_ID
    reads = [
        s for s in policy_statements(resources, role_of(resources, "say_hello")) if s["Resource"] == KEY_ARN
    ]
    assert actions_of(reads) == {"kms:GetPublicKey"}
    signs = policy_statements(resources, role_of(resources, "issue_account_token"))
    assert "kms:Sign" in actions_of([s for s in signs if s["Resource"] == KEY_ARN])


def test_GIVEN_a_table_imported_by_name_THEN_it_keeps_the_connections_and_its_index_is_granted(
    overridden: Overridden,
) -> None:
    resources = overridden.resources
    assert not [i for i in of_type(resources, "AWS::DynamoDB::Table") if "Connections" in i]  # none made
    for name in ("websocket", "broadcast_message"):
        variables = app_function(resources, name)[1]["Environment"]["Variables"]
        assert variables["SERVEY_CONNECTIONS_TABLE"] == CONNECTIONS_TABLE
        statements = policy_statements(resources, role_of(resources, name))
        on_table = [s for s in statements if f"table/{CONNECTIONS_TABLE}" in json.dumps(s["Resource"])]
        assert {"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"} <= actions_of(on_table)
        index = [s for s in on_table if f"/index/{SUBSCRIPTION_INDEX}" in json.dumps(s["Resource"])]
        assert actions_of(index) == {"dynamodb:Query"}


def test_GIVEN_imported_resources_WHEN_cdk_nag_checks_THEN_nothing_is_unacknowledged(
    overridden: Overridden,
) -> None:
    assert overridden.validation_error is None
