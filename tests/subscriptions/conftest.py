"""Fixtures: the alerts test app, its token key, the connections table in moto, a stand-in management API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from servey_cdk.aws.dynamodb_connections import (
    SUBSCRIPTION_INDEX,
    SUBSCRIPTION_INDEX_KEY,
    DynamoDBConnectionStore,
)
from servey_cdk.discovery import Registry, discover
from servey_cdk.subscriptions import NoPublisher, set_publisher

TABLE = "connections"
SECRET = "subscriptions-test-secret-of-sufficient-length"


class ManagementApi:
    """What the publisher uses of boto3's `apigatewaymanagementapi` client.

    moto accepts a post to any connection id, so it cannot say a connection is gone;
    this stand-in answers `GoneException`, as API Gateway does, for ids in `gone`.
    """

    def __init__(self) -> None:
        self.posts: dict[str, list[Any]] = {}
        self.gone: set[str] = set()

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803 - boto3's names
        from botocore.exceptions import ClientError

        if ConnectionId in self.gone:
            error = {"Error": {"Code": "GoneException", "Message": ""}}
            raise ClientError({**error, "ResponseMetadata": {"HTTPStatusCode": 410}}, "PostToConnection")
        self.posts.setdefault(ConnectionId, []).append(json.loads(Data))
        return {}


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover("tests.subscriptions.alerts_app")


@pytest.fixture(autouse=True)
def token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)


@pytest.fixture
def dynamodb(aws: None) -> Any:
    """The connections table, keyed as `ServeyWebSocketApi` makes it."""
    import boto3

    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "connection_id", "AttributeType": "S"},
            {"AttributeName": "subscription", "AttributeType": "S"},
            {"AttributeName": SUBSCRIPTION_INDEX_KEY, "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "connection_id", "KeyType": "HASH"},
            {"AttributeName": "subscription", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": SUBSCRIPTION_INDEX,
                "KeySchema": [
                    {"AttributeName": SUBSCRIPTION_INDEX_KEY, "KeyType": "HASH"},
                    {"AttributeName": "connection_id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return client


@pytest.fixture
def store(dynamodb: Any) -> DynamoDBConnectionStore:
    return DynamoDBConnectionStore(TABLE, dynamodb)


@pytest.fixture
def rows(dynamodb: Any) -> Callable[[], set[tuple[str, str]]]:
    """The table's keys, `(connection_id, subscription)`, read with a scan."""
    return lambda: {
        (item["connection_id"]["S"], item["subscription"]["S"])
        for item in dynamodb.scan(TableName=TABLE)["Items"]
    }


@pytest.fixture
def management_api() -> ManagementApi:
    return ManagementApi()


@pytest.fixture
def restore_publisher() -> Iterator[None]:
    """Put back the publisher there was before the test installed its own."""
    previous = set_publisher(NoPublisher())
    set_publisher(previous)
    yield
    set_publisher(previous)
