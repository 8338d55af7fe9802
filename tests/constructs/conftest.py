"""One synthesis per test session: the sample app's stack, and a user's stack embedding ServeyApp;
and, for the tests that ask, the sample app with every production option on, and the rehearsal's
small app of topics, a fan-out and event rules."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs_lib.node import supported_node

# The test session chooses the Node.js that jsii runs, before aws_cdk starts it.
os.environ.setdefault("JSII_NODE", supported_node() or "node")

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from constructs_lib import ServeyApp, ServeyStack
from constructs_lib.builders import acknowledge
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec
from servey_cdk.aws.dynamodb_connections import SUBSCRIPTION_INDEX, SUBSCRIPTION_INDEX_KEY
from servey_cdk.graphql_limits import GraphQLLimits

EXISTING_UPLOADS_BUCKET = "users-existing-uploads"
REGIONAL_WEB_ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/servey/0a1b2c3d"
CLOUDFRONT_WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/servey-cdn/4e5f6a7b"
PRODUCTION_LIMITS = GraphQLLimits(depth=8, resolvers=200, introspection=False)
PRODUCTION_PROPS: dict[str, Any] = {
    "web_acl_arn": REGIONAL_WEB_ACL,
    "cloudfront_web_acl_arn": CLOUDFRONT_WEB_ACL,
    "api_only_through_cdn": True,
    "reserved_concurrency": {"get_item": 5, "graphql-authorizer": 2},
    "route_throttling": {"GET /items/{item_id}": apigateway.ThrottleSettings(rate_limit=10, burst_limit=20)},
    "graphql_api_props": {"query_depth_limit": 6},  # the owner's override wins over the spec's limit
}


def _nag_checked_synth(app: cdk.App) -> str | None:
    """The validation error of a synth with cdk-nag's packs, if any (the assembly is written anyway)."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    try:
        app.synth()
    except RuntimeError as error:
        return str(error)
    return None


@dataclass
class Synthesized:
    outdir: Path
    spec: AppSpec
    sample: ServeyStack
    user_stack: cdk.Stack
    user_app: ServeyApp
    user_table: dynamodb.Table
    user_key: kms.Key  # the user's token key, given as existing_key
    user_connections: dynamodb.Table  # the user's connections table, given as existing_table
    templates: dict[str, dict[str, Any]]
    validation_error: str | None

    def template(self, stack: str) -> Template:
        return Template.from_json(self.templates[stack])


@dataclass
class AppStack:
    """A test app's own stack, synthesized with cdk-nag's packs."""

    outdir: Path
    stack: ServeyStack
    resources: dict[str, dict[str, Any]]
    validation_error: str | None

    @property
    def template_path(self) -> Path:
        return self.outdir / f"{self.stack.stack_name}.template.json"


def synthesized_app_stack(outdir: Path, spec: AppSpec, name: str) -> AppStack:
    app = cdk.App(outdir=str(outdir))
    stack = ServeyStack(app, name, spec=spec, app_props={"layer_cache_dir": default_cache_dir()})
    validation_error = _nag_checked_synth(app)
    template = json.loads((outdir / f"{name}.template.json").read_text())
    return AppStack(outdir, stack, template["Resources"], validation_error)


@pytest.fixture(scope="session")
def layer_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servey-cdk-cache")


@pytest.fixture(scope="session")
def spec() -> AppSpec:
    return load_spec("sample_app")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, spec: AppSpec) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    # The real layer, in the cache every synth on this machine shares (the CDK CLI's included).
    layer = {"layer_cache_dir": default_cache_dir()}
    sample = ServeyStack(app, "SampleApp", spec=spec, app_props=layer)
    user_stack, user_app, (user_table, user_key, user_connections) = _users_own_stack(app, spec, layer)
    validation_error = _nag_checked_synth(app)
    templates = {
        name: json.loads((outdir / f"{name}.template.json").read_text())
        for name in ("SampleApp", "UserStack")
    }
    return Synthesized(
        outdir, spec, sample, user_stack, user_app, user_table, user_key, user_connections, templates,
        validation_error,
    )  # fmt: skip


@dataclass
class Production:
    outdir: Path
    stack: ServeyStack
    template: dict[str, Any]
    validation_error: str | None


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory, spec: AppSpec) -> Production:
    """The sample app with WAF, the API only through the CDN, reserved concurrency, a route throttle
    and GraphQL limits of its own."""
    assert spec.graphql is not None
    limited = dataclasses.replace(spec, graphql=dataclasses.replace(spec.graphql, limits=PRODUCTION_LIMITS))
    outdir = tmp_path_factory.mktemp("production.out")
    app = cdk.App(outdir=str(outdir))
    props = {**PRODUCTION_PROPS, "layer_cache_dir": default_cache_dir()}
    stack = ServeyStack(app, "Production", spec=limited, app_props=props)
    validation_error = _nag_checked_synth(app)
    template = json.loads((outdir / "Production.template.json").read_text())
    return Production(outdir, stack, template, validation_error)


def _users_own_stack(
    app: cdk.App, spec: AppSpec, layer: dict[str, Any]
) -> tuple[cdk.Stack, ServeyApp, tuple[dynamodb.Table, kms.Key, dynamodb.Table]]:
    """A stack of the user's own, with their table, their token key and their connections table,
    and the app dropped in beside them, using the key and the connections table."""
    stack = cdk.Stack(app, "UserStack")
    table = _users_table(stack, "Orders", "id")
    key = kms.Key(stack, "TokenKey", key_spec=kms.KeySpec.RSA_2048, key_usage=kms.KeyUsage.SIGN_VERIFY)
    acknowledge(key, "AwsSolutions-KMS5", "KMS rotates symmetric keys only; this is an RSA signing key")
    connections = _users_table(stack, "Connections", "connection_id", "subscription")
    connections.add_global_secondary_index(
        index_name=SUBSCRIPTION_INDEX,
        partition_key=dynamodb.Attribute(name=SUBSCRIPTION_INDEX_KEY, type=dynamodb.AttributeType.STRING),
    )
    servey = ServeyApp(
        stack, "Servey", spec=spec, existing_bucket_names={"uploads": EXISTING_UPLOADS_BUCKET},
        existing_key=key, existing_table=connections, **layer,
    )  # fmt: skip
    get_item = servey.functions["get_item"]
    table.grant_read_data(get_item)
    get_item.add_environment("ORDERS_TABLE", table.table_name)
    assert servey.parts.auth is not None
    servey.parts.auth.grant_sign(servey.functions["echo_authorization"])
    return stack, servey, (table, key, connections)


def _users_table(stack: cdk.Stack, id: str, partition: str, sort: str | None = None) -> dynamodb.Table:
    def key(name: str) -> dynamodb.Attribute:
        return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

    return dynamodb.Table(
        stack,
        id,
        partition_key=key(partition),
        sort_key=key(sort) if sort else None,
        time_to_live_attribute="expires_at" if sort else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )


@pytest.fixture(scope="session")
def rehearsed_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The assembly of `tests.constructs.rehearsal_app` (SNS, a fan-out, EventBridge), stack RehearsedApp."""
    outdir = tmp_path_factory.mktemp("rehearsed.out")
    app = cdk.App(outdir=str(outdir))
    spec = load_spec("tests.constructs.rehearsal_app")
    ServeyStack(app, "RehearsedApp", spec=spec, app_props={"layer_cache_dir": default_cache_dir()})
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def sample_template(synthesized: Synthesized) -> Template:
    return synthesized.template("SampleApp")


@pytest.fixture(scope="session")
def user_template(synthesized: Synthesized) -> Template:
    return synthesized.template("UserStack")


@pytest.fixture(scope="session")
def resources(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """The sample app's resources, by logical id."""
    found: dict[str, dict[str, Any]] = synthesized.templates["SampleApp"]["Resources"]
    return found


@pytest.fixture
def fresh_app(tmp_path: Path) -> cdk.App:
    return cdk.App(outdir=str(tmp_path))
