"""DynamoDBConnectionStore: connections, their authorization and subscriptions in the connections table."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from servey_cdk.authorization import Authorization
from servey_cdk.aws.dynamodb_connections import (
    CONNECTION_ITEM,
    CONNECTION_LIFETIME_S,
    SUBSCRIPTION_INDEX,
    DynamoDBConnectionStore,
)
from servey_cdk.aws.websocket import Subscriber
from servey_cdk.errors import NotFound
from tests.subscriptions.conftest import TABLE

ALICE = Authorization(
    subject_id="alice",
    scopes=frozenset({"alerts", "read"}),
    not_before=datetime(2026, 1, 1, tzinfo=UTC),
    expire_at=datetime(2036, 1, 1, tzinfo=UTC),
)


def test_GIVEN_a_connection_with_a_token_WHEN_read_back_THEN_its_authorization_is_whole(
    store: DynamoDBConnectionStore,
) -> None:
    store.connect("c1", ALICE)
    assert store.authorization("c1") == ALICE


def test_GIVEN_an_anonymous_connection_WHEN_read_back_THEN_it_has_no_authorization(
    store: DynamoDBConnectionStore,
) -> None:
    store.connect("c1", None)
    assert store.authorization("c1") is None


def test_GIVEN_no_such_connection_WHEN_its_authorization_is_read_THEN_not_found(
    store: DynamoDBConnectionStore,
) -> None:
    with pytest.raises(NotFound, match="'c9' is not open"):
        store.authorization("c9")


def test_GIVEN_subscriptions_WHEN_subscribers_are_listed_THEN_each_comes_with_its_authorization(
    store: DynamoDBConnectionStore,
) -> None:
    store.connect("c1", ALICE)
    store.connect("c2", None)
    store.subscribe("c1", "news", ALICE)
    store.subscribe("c2", "news", None)
    store.subscribe("c2", "other", None)
    assert sorted(store.subscribers("news"), key=lambda s: s.connection_id) == [
        Subscriber("c1", ALICE),
        Subscriber("c2", None),
    ]


def test_GIVEN_an_unsubscribe_WHEN_subscribers_are_listed_THEN_the_connection_is_not_among_them(
    store: DynamoDBConnectionStore,
) -> None:
    store.connect("c1", None)
    store.subscribe("c1", "news", None)
    store.unsubscribe("c1", "news")
    assert list(store.subscribers("news")) == []
    assert store.authorization("c1") is None


def test_GIVEN_more_subscriptions_than_one_batch_WHEN_disconnecting_THEN_every_item_is_deleted(
    store: DynamoDBConnectionStore, rows: Callable[[], set[tuple[str, str]]]
) -> None:
    store.connect("c1", ALICE)
    store.connect("c2", None)
    for index in range(30):
        store.subscribe("c1", f"s{index}", ALICE)
    store.subscribe("c2", "s0", None)
    store.disconnect("c1")
    assert rows() == {("c2", CONNECTION_ITEM), ("c2", "s0")}


def test_GIVEN_connection_and_subscription_items_WHEN_written_THEN_both_expire_after_a_connections_life(
    store: DynamoDBConnectionStore, dynamodb: Any
) -> None:
    store.connect("c1", None)
    store.subscribe("c1", "news", None)
    expiries = [int(item["expires_at"]["N"]) for item in dynamodb.scan(TableName=TABLE)["Items"]]
    assert len(expiries) == 2
    assert all(abs(expiry - time.time() - CONNECTION_LIFETIME_S) < 60 for expiry in expiries)


def test_GIVEN_an_environment_without_a_table_WHEN_the_store_is_made_THEN_there_is_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SERVEY_CONNECTIONS_TABLE", raising=False)
    assert DynamoDBConnectionStore.from_environment() is None
    monkeypatch.setenv("SERVEY_CONNECTIONS_TABLE", "t1")
    assert getattr(DynamoDBConnectionStore.from_environment(), "table", None) == "t1"


def test_GIVEN_more_subscribers_than_a_page_WHEN_listed_THEN_every_page_is_read(dynamodb: Any) -> None:
    store = DynamoDBConnectionStore(TABLE, dynamodb, page_size=2)
    for number in range(5):
        store.connect(f"c{number}", None)
        store.subscribe(f"c{number}", "news", None)
    assert sorted(s.connection_id for s in store.subscribers("news")) == [f"c{n}" for n in range(5)]


def test_GIVEN_connections_WHEN_the_subscription_index_is_read_THEN_it_holds_subscriptions_only(
    store: DynamoDBConnectionStore, dynamodb: Any
) -> None:
    store.connect("c1", ALICE)
    store.subscribe("c1", "news", ALICE)
    indexed = dynamodb.scan(TableName=TABLE, IndexName=SUBSCRIPTION_INDEX)["Items"]
    assert [item["subscription"]["S"] for item in indexed] == ["news"]
