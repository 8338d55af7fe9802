"""A declared resource's client inside a function: its deployed name from the environment the
constructs give, made on first use and kept, a secret read once and kept out of the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import boto3  # type: ignore[import-untyped]
import pytest

from servey_cdk import Bucket, Parameter, Secret, Table
from servey_cdk.aws import resources
from servey_cdk.aws.resources import ResourceNotGranted
from servey_cdk.redaction import redact

ORDERS = Table("orders", partition_key="order_id")
UPLOADS = Bucket("uploads")
API_KEY = Secret("api-key")
GREETING = Parameter("greeting", initial="hello")


@pytest.fixture
def granted(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    resources.forget()
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="stack-orders-1",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("s3").create_bucket(Bucket="stack-uploads-1")
    arn = boto3.client("secretsmanager").create_secret(Name="stack-api-key", SecretString="s3cr3t-value")[
        "ARN"
    ]
    boto3.client("ssm").put_parameter(Name="/stack/greeting", Value="hello", Type="String")
    monkeypatch.setenv("SERVEY_TABLE_ORDERS", "stack-orders-1")
    monkeypatch.setenv("SERVEY_BUCKET_UPLOADS", "stack-uploads-1")
    monkeypatch.setenv("SERVEY_SECRET_API_KEY", arn)
    monkeypatch.setenv("SERVEY_PARAMETER_GREETING", "/stack/greeting")
    yield
    resources.forget()


def test_GIVEN_a_granted_table_WHEN_used_THEN_boto3s_table_of_its_deployed_name_is_kept(
    granted: None,
) -> None:
    ORDERS.table.put_item(Item={"order_id": "o-1", "total": 3})

    assert ORDERS.table is ORDERS.table
    assert ORDERS.table_name == "stack-orders-1"
    assert ORDERS.table.get_item(Key={"order_id": "o-1"})["Item"]["total"] == 3
    assert ORDERS.client.describe_table(TableName=ORDERS.table_name)["Table"]["ItemCount"] >= 0


def test_GIVEN_a_granted_bucket_WHEN_used_THEN_objects_go_to_its_deployed_bucket(granted: None) -> None:
    UPLOADS.bucket.put_object(Key="incoming/a.csv", Body=b"a,b")

    body = UPLOADS.client.get_object(Bucket="stack-uploads-1", Key="incoming/a.csv")["Body"].read()
    assert body == b"a,b"


def test_GIVEN_a_secret_WHEN_read_twice_THEN_secrets_manager_is_asked_once_and_logs_never_carry_it(
    granted: None,
) -> None:
    assert API_KEY.value == "s3cr3t-value"
    boto3.client("secretsmanager").put_secret_value(SecretId="stack-api-key", SecretString="rotated-value")

    assert API_KEY.value == "s3cr3t-value"  # read once per process
    assert redact('{"message": "calling with s3cr3t-value"}') == '{"message": "calling with [redacted]"}'


def test_GIVEN_a_parameter_WHEN_read_THEN_its_value_as_ssm_holds_it(granted: None) -> None:
    assert GREETING.value == "hello"


def test_GIVEN_a_resource_not_granted_WHEN_used_THEN_the_error_names_it_and_the_missing_use(
    aws: None, caplog: pytest.LogCaptureFixture
) -> None:
    resources.forget()
    with pytest.raises(ResourceNotGranted) as raised:
        _ = Table("ledger").table

    message = str(raised.value)
    assert message.startswith(
        "table 'ledger' is not granted to this function (SERVEY_TABLE_LEDGER is not set)"
    )
    assert "@action(uses=…)" in message
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
