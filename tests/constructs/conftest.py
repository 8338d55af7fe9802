"""One synthesis per test session: the sample app's stack, and a user's stack embedding ServeyApp."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

import constructs_lib  # noqa: F401  (points jsii at a supported Node before aws_cdk loads)
from constructs_lib import ServeyApp, ServeyStack
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec import AppSpec, load_spec

EXISTING_UPLOADS_BUCKET = "users-existing-uploads"


@dataclass
class Synthesized:
    outdir: Path
    spec: AppSpec
    sample: ServeyStack
    user_stack: cdk.Stack
    user_app: ServeyApp
    user_table: dynamodb.Table
    templates: dict[str, dict[str, Any]]
    validation_error: str | None

    def template(self, stack: str) -> Template:
        return Template.from_json(self.templates[stack])


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
    user_stack, user_app, user_table = _users_own_stack(app, spec, layer)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    validation_error = None
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings fail the synth after the assembly is written
        validation_error = str(error)
    templates = {
        name: json.loads((outdir / f"{name}.template.json").read_text())
        for name in ("SampleApp", "UserStack")
    }
    return Synthesized(outdir, spec, sample, user_stack, user_app, user_table, templates, validation_error)


def _users_own_stack(
    app: cdk.App, spec: AppSpec, layer: dict[str, Any]
) -> tuple[cdk.Stack, ServeyApp, dynamodb.Table]:
    """A stack of the user's own, with their table, and the app dropped in beside it."""
    stack = cdk.Stack(app, "UserStack")
    table = dynamodb.Table(
        stack,
        "Orders",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )
    servey = ServeyApp(
        stack, "Servey", spec=spec, existing_bucket_names={"uploads": EXISTING_UPLOADS_BUCKET}, **layer
    )
    get_item = servey.functions.functions["get_item"]
    table.grant_read_data(get_item)
    get_item.add_environment("ORDERS_TABLE", table.table_name)
    assert servey.auth is not None
    servey.auth.grant_sign(servey.functions.functions["echo_authorization"])
    return stack, servey, table


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
