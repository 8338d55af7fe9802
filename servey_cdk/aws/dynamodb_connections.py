"""Websocket connections and their subscriptions in the DynamoDB table `ServeyWebSocketApi` makes.

The table is keyed by `connection_id` and `subscription`. Each connection has one
item under `subscription = "#connection"` holding the authorization it connected
with, and one item per subscription carrying a copy of it and `subscribed_to`, the
key of the `by_subscription` index. Fan-out reads subscribers and their authorization
from that index alone, page by page; connection items lack the key, so the index
holds subscriptions only and no single index key takes every connect. Every item
expires (`expires_at`) after API Gateway's longest connection life, so rows of
connections whose `$disconnect` never ran do not stay.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from servey_cdk.authorization import Authorization, authorization_from_claims, claims_of
from servey_cdk.aws.websocket import Subscriber
from servey_cdk.errors import NotFound
from servey_cdk.wire import CONNECTIONS_TABLE

SUBSCRIPTION_INDEX = "by_subscription"
SUBSCRIPTION_INDEX_KEY = "subscribed_to"
CONNECTION_ITEM = "#connection"
CONNECTION_LIFETIME_S = 2 * 60 * 60  # API Gateway closes every websocket after two hours
BATCH_WRITE_MAX = 25

Item = dict[str, Any]


class DynamoDBConnectionStore:
    """`page_size` subscribers are read per query, so a publish holds one page at a time."""

    def __init__(self, table: str, client: Any = None, page_size: int = 256) -> None:
        self.table = table
        self.page_size = page_size
        if client is not None:
            self.client = client

    @classmethod
    def from_environment(cls) -> DynamoDBConnectionStore | None:
        """The store of the table the constructs name in the function's environment, if any."""
        table = os.environ.get(CONNECTIONS_TABLE)
        return cls(table) if table else None

    @cached_property
    def client(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # only functions that keep connections pay for it, on first use

        return boto3.client("dynamodb")

    def connect(self, connection_id: str, authorization: Authorization | None) -> None:
        self.client.put_item(TableName=self.table, Item=_item(connection_id, CONNECTION_ITEM, authorization))

    def disconnect(self, connection_id: str) -> None:
        """Delete the connection and all its subscriptions."""
        keys = [
            {"connection_id": item["connection_id"], "subscription": item["subscription"]}
            for page in self.client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="connection_id = :id",
                ExpressionAttributeValues={":id": {"S": connection_id}},
                ProjectionExpression="connection_id, subscription",
            )
            for item in page["Items"]
        ]
        for start in range(0, len(keys), BATCH_WRITE_MAX):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_WRITE_MAX]]
            pending: dict[str, Any] = {self.table: requests}
            while pending:  # DynamoDB may leave some undone under load; they are sent again
                answer = self.client.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}

    def authorization(self, connection_id: str) -> Authorization | None:
        found = self.client.get_item(
            TableName=self.table,
            Key={"connection_id": {"S": connection_id}, "subscription": {"S": CONNECTION_ITEM}},
            ConsistentRead=True,
        ).get("Item")
        if found is None:
            raise NotFound(f"connection {connection_id!r} is not open")
        return _authorization(found)

    def subscribe(self, connection_id: str, subscription: str, authorization: Authorization | None) -> None:
        item = _item(connection_id, subscription, authorization)
        item[SUBSCRIPTION_INDEX_KEY] = {"S": subscription}
        self.client.put_item(TableName=self.table, Item=item)

    def unsubscribe(self, connection_id: str, subscription: str) -> None:
        self.client.delete_item(
            TableName=self.table,
            Key={"connection_id": {"S": connection_id}, "subscription": {"S": subscription}},
        )

    def subscribers(self, subscription: str) -> Iterator[Subscriber]:
        """The subscribers, read lazily one page at a time from the subscription index."""
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=SUBSCRIPTION_INDEX,
            KeyConditionExpression=f"{SUBSCRIPTION_INDEX_KEY} = :name",
            ExpressionAttributeValues={":name": {"S": subscription}},
            PaginationConfig={"PageSize": self.page_size},
        )
        for page in pages:
            for item in page["Items"]:
                yield Subscriber(item["connection_id"]["S"], _authorization(item))


def _item(connection_id: str, subscription: str, authorization: Authorization | None) -> Item:
    item: Item = {
        "connection_id": {"S": connection_id},
        "subscription": {"S": subscription},
        "expires_at": {"N": str(int(time.time()) + CONNECTION_LIFETIME_S)},
    }
    if authorization is not None:
        item["authorization"] = {"M": _claims(authorization)}
    return item


def _claims(authorization: Authorization) -> Item:
    return {name: {"S": value} for name, value in claims_of(authorization).items()}


def _authorization(item: Item) -> Authorization | None:
    claims = item.get("authorization", {}).get("M")
    if claims is None:
        return None
    return authorization_from_claims({name: next(iter(typed.values())) for name, typed in claims.items()})

