"""ServeyResources and ServeyStreams on a real synth (cdk-nag's packs on): each declared resource made
secure, or adopted; each function granted exactly the IAM actions its actions' uses name, on exactly
those resources, and told their names; a table's stream mapped to its trigger's function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import PropsError, ServeyApp
from servey_cdk.appspec_builder import load_spec
from servey_cdk.resources.uses import iam_actions
from tests.constructs.conftest import AppStack, synthesized_app_stack
from tests.constructs.template_queries import Resources, app_function, of_type, policy_statements, role_of

APP = "tests.constructs.resources_app"
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> AppStack:
    return synthesized_app_stack(tmp_path_factory.mktemp("resources.out"), load_spec(APP), "ResourcesApp")


def _logical(resources: Resources, type_name: str, fragment: str) -> str:
    (found,) = [name for name in of_type(resources, type_name) if fragment in name]
    return found


def _grants(resources: Resources, function: str) -> dict[str, set[str]]:
    """Each resource a function's role may act on (as the template names it), with those actions,
    less what every function has: tracing, its log group and its dead-letter queue."""
    granted: dict[str, set[str]] = {}
    for statement in policy_statements(resources, role_of(resources, function)):
        actions = statement["Action"]
        targets = statement["Resource"]
        for target in targets if isinstance(targets, list) else [targets]:
            granted.setdefault(_named(target), set()).update(
                [actions] if isinstance(actions, str) else actions
            )
    common = ("xray", "AppFunctionsDeadLetters")
    return {
        target: actions
        for target, actions in granted.items()
        if not target.startswith(common) and not (target.startswith("AppFunctions") and "Logs" in target)
    }


def _named(target: Any) -> str:
    """`{"Fn::GetAtt": ["OrdersTable…", "Arn"]}` → `OrdersTable…`; a joined ARN → its parts."""
    if isinstance(target, str):
        return "xray" if target == "*" else target
    if "Fn::GetAtt" in target:
        return str(target["Fn::GetAtt"][0])
    if "Ref" in target:
        return str(target["Ref"])
    parts = target["Fn::Join"][1]
    return "".join(_named(part) if isinstance(part, dict) else part for part in parts)


def test_GIVEN_the_resources_app_THEN_cdk_nag_finds_nothing(built: AppStack) -> None:
    assert built.validation_error is None


def test_GIVEN_a_declared_table_THEN_it_is_encrypted_recoverable_kept_and_shaped_as_declared(
    built: AppStack,
) -> None:
    orders = built.resources[_logical(built.resources, "AWS::DynamoDB::Table", "Orders")]
    properties = orders["Properties"]
    assert orders["DeletionPolicy"] == "Retain"
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["KeySchema"] == [
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "placed_at", "KeyType": "RANGE"},
    ]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    (index,) = properties["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["KeySchema"][0]["AttributeName"]) == ("by_status", "status")


def test_GIVEN_an_adopted_table_THEN_none_is_made_for_it(built: AppStack) -> None:
    tables = of_type(built.resources, "AWS::DynamoDB::Table")
    assert not [name for name in tables if "Legacy" in name]
    assert len(tables) == 2  # orders, and the idempotency records' requests


def test_GIVEN_each_function_THEN_it_is_granted_exactly_what_its_uses_name(built: AppStack) -> None:
    resources = built.resources
    orders = _logical(resources, "AWS::DynamoDB::Table", "Orders")
    requests = _logical(resources, "AWS::DynamoDB::Table", "Requests")
    uploads = _logical(resources, "AWS::S3::Bucket", "Uploads")
    secret = _logical(resources, "AWS::SecretsManager::Secret", "PaymentApiKey")
    parameter = _logical(resources, "AWS::SSM::Parameter", "CheckoutMode")
    read, read_write = set(iam_actions("table", "read")), set(iam_actions("table", "read_write"))

    assert _grants(resources, "list_orders") == {orders: read, f"{orders}/index/by_status": read}
    placing = _grants(resources, "place_order")
    assert placing.pop(orders) == read_write
    assert placing.pop(f"{orders}/index/by_status") == read_write
    assert placing.pop(requests) == read_write
    assert placing.pop(f"{uploads}/*") == set(iam_actions("bucket", "write"))
    assert placing.pop(secret) == set(iam_actions("secret", "read"))
    (parameter_arn,) = [target for target in placing if parameter in target]
    assert placing.pop(parameter_arn) == set(iam_actions("parameter", "read"))
    assert placing == {}
    receipts = _grants(resources, "on_receipt")
    assert receipts.pop(uploads) == {"s3:ListBucket"}
    assert receipts.pop(f"{uploads}/*") == {"s3:GetObject"}
    (legacy,) = receipts
    assert "table/legacy-orders-prod" in legacy
    assert receipts[legacy] == set(iam_actions("table", "write"))


def test_GIVEN_each_function_THEN_it_learns_the_names_of_what_it_uses_and_nothing_else(
    built: AppStack,
) -> None:
    variables = {
        name: set(app_function(built.resources, name)[1]["Environment"]["Variables"])
        for name in ("list_orders", "place_order", "on_receipt", "on_order_change")
    }
    declared = {name: {v for v in found if v.startswith("SERVEY_") and v.split("_")[1] in {
        "TABLE", "BUCKET", "SECRET", "PARAMETER"}} for name, found in variables.items()}  # fmt: skip
    assert declared == {
        "list_orders": {"SERVEY_TABLE_ORDERS"},
        "place_order": {
            "SERVEY_TABLE_ORDERS", "SERVEY_TABLE_REQUESTS", "SERVEY_BUCKET_UPLOADS",
            "SERVEY_SECRET_PAYMENT_API_KEY", "SERVEY_PARAMETER_CHECKOUT_MODE",
        },
        "on_receipt": {"SERVEY_BUCKET_UPLOADS", "SERVEY_TABLE_LEGACY"},
        "on_order_change": {"SERVEY_TABLE_ORDERS"},
    }  # fmt: skip


def test_GIVEN_a_stream_trigger_THEN_its_function_reads_the_stream_reporting_item_failures_to_a_dlq(
    built: AppStack,
) -> None:
    (mapping,) = of_type(built.resources, "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    orders = _logical(built.resources, "AWS::DynamoDB::Table", "Orders")
    assert properties["EventSourceArn"] == {"Fn::GetAtt": [orders, "StreamArn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (properties["BatchSize"], properties["MaximumRetryAttempts"]) == (10, 3)
    assert "OnFailure" in properties["DestinationConfig"]
    assert {
        action for actions in _grants(built.resources, "on_order_change").values() for action in actions
    } >= STREAM_ACTIONS


def test_GIVEN_a_stream_trigger_on_an_adopted_table_THEN_the_error_names_the_action_and_table(
    tmp_path: Path,
) -> None:
    import dataclasses

    spec = load_spec(APP)
    tables = tuple(
        dataclasses.replace(t, existing="orders-prod") if t.name == "orders" else t for t in spec.tables
    )
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path)), "Adopted")
    with pytest.raises(PropsError) as raised:
        ServeyApp(stack, "App", spec=dataclasses.replace(spec, tables=tables), secrets={"nope": None})  # type: ignore[dict-item]
    problems = "\n".join(raised.value.problems)
    assert "action 'on_order_change': table 'orders' is adopted by name or ARN" in problems
    assert "secrets['nope'] names nothing in the app" in problems


def test_GIVEN_the_synthesized_resources_WHEN_made_in_the_local_aws_THEN_a_function_reaches_each_by_its_names(
    built: AppStack,
) -> None:
    from servey_cdk.rehearsal.assembly import read_assembly
    from servey_cdk.rehearsal.local_aws import LocalAws, moto_server

    (stack,) = [stack for stack in read_assembly(built.outdir) if stack.name == "ResourcesApp"]
    variables = app_function(built.resources, "place_order")[1]["Environment"]["Variables"]
    with moto_server() as endpoint:
        local_aws = LocalAws(stack, endpoint, "http://127.0.0.1:1")
        names = local_aws.resolve_environment(variables)
        secret = local_aws.client("secretsmanager").get_secret_value(
            SecretId=names["SERVEY_SECRET_PAYMENT_API_KEY"]
        )
        parameter = local_aws.client("ssm").get_parameter(Name=names["SERVEY_PARAMETER_CHECKOUT_MODE"])
        table = local_aws.client("dynamodb").describe_table(TableName=names["SERVEY_TABLE_ORDERS"])["Table"]
        local_aws.client("s3").head_bucket(Bucket=names["SERVEY_BUCKET_UPLOADS"])
    assert len(secret["SecretString"]) >= 24
    assert parameter["Parameter"]["Value"] == "test"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["by_status"]


def test_GIVEN_the_users_own_table_and_bucket_WHEN_given_THEN_the_grants_follow_the_uses_onto_them(
    tmp_path: Path,
) -> None:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_s3 as s3

    from constructs_lib.packaging import default_cache_dir

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Users")
    key = dynamodb.Attribute(name="customer", type=dynamodb.AttributeType.STRING)
    table = dynamodb.Table(stack, "TheirOrders", partition_key=key, stream=dynamodb.StreamViewType.NEW_IMAGE)
    bucket = s3.Bucket(stack, "TheirUploads")
    ServeyApp(
        stack, "Servey", spec=load_spec(APP), tables={"orders": table}, buckets={"uploads": bucket},
        layer_cache_dir=default_cache_dir(), monitoring=False,
    )  # fmt: skip
    resources = app.synth().get_stack_by_name("Users").template["Resources"]
    tables = of_type(resources, "AWS::DynamoDB::Table")
    (theirs,) = [name for name in tables if name.startswith("TheirOrders")]
    assert not [name for name in tables if "Orders" in name and name != theirs]
    assert _grants(resources, "list_orders")[theirs] == set(iam_actions("table", "read"))
    (their_bucket,) = [
        name for name in of_type(resources, "AWS::S3::Bucket") if name.startswith("TheirUploads")
    ]
    assert _grants(resources, "on_receipt")[their_bucket] == {"s3:ListBucket"}
    (mapping,) = of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [theirs, "StreamArn"]}


def test_GIVEN_the_resources_app_WHEN_rehearsed_THEN_every_case_passes_and_its_stream_delivers_a_put_item(
    built: AppStack,
) -> None:
    from constructs_lib.packaging import default_cache_dir
    from servey_cdk.rehearsal import rehearse
    from servey_cdk.rehearsal.assembly import read_assembly

    (stack,) = [stack for stack in read_assembly(built.outdir) if stack.name == "ResourcesApp"]
    report = rehearse(stack, default_cache_dir(), {}, None)
    assert report.passed, report.text()
    (stream,) = [outcome for outcome in report.outcomes if outcome.kind == "stream"]
    assert (stream.function, stream.case.split(" from ")[0]) == ("on_order_change", "1 record(s)")
