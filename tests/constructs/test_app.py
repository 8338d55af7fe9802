"""ServeyApp and ServeyStack: everything from the spec, outputs, and use inside a user's own stack."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from constructs_lib import PropsError, ServeyApp
from constructs_lib.builders import logical_id
from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import Synthesized
from tests.constructs.template_queries import actions_of, policy_statements, role_of


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
