"""Circuit state in DynamoDB (moto): shared by breakers in different processes."""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from servey_cdk.outbound import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    CircuitStatus,
    DynamoDBCircuitStateStore,
)

from .conftest import FakeClock

pytestmark = pytest.mark.usefixtures("aws")

TABLE = "servey-circuits"


@pytest.fixture
def dynamodb() -> Any:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def breaker_sharing_the_table(dynamodb: Any, clock: FakeClock, circuit: str = "billing") -> CircuitBreaker:
    """A breaker with its own store object, as a second Lambda instance would have."""
    store = DynamoDBCircuitStateStore(TABLE, circuit, client=dynamodb)
    return CircuitBreaker(circuit, failure_threshold=2, cooldown_s=30, store=store, clock=clock)


def failing() -> None:
    raise ConnectionError("billing is down")


def test_GIVEN_no_item_for_the_circuit_THEN_it_reads_as_closed(dynamodb: Any) -> None:
    assert DynamoDBCircuitStateStore(TABLE, "billing", client=dynamodb).get() == CircuitState()


def test_GIVEN_a_state_put_THEN_it_reads_back_exactly(dynamodb: Any) -> None:
    store = DynamoDBCircuitStateStore(TABLE, "billing", client=dynamodb)
    opened = CircuitState(CircuitStatus.OPEN, failures=5, changed_at=1_700_000_000.123456)

    assert store.put(opened, CircuitState())

    assert store.get() == opened
    assert store.put(CircuitState(), opened)


def test_GIVEN_a_state_changed_by_another_process_WHEN_put_with_a_stale_expectation_THEN_it_is_refused(
    dynamodb: Any,
) -> None:
    ours = DynamoDBCircuitStateStore(TABLE, "billing", client=dynamodb)
    theirs = DynamoDBCircuitStateStore(TABLE, "billing", client=dynamodb)
    counted = CircuitState(CircuitStatus.CLOSED, failures=1)
    assert theirs.put(counted, CircuitState())

    assert not ours.put(CircuitState(CircuitStatus.CLOSED, failures=1), CircuitState())
    assert not ours.put(CircuitState(), CircuitState(CircuitStatus.CLOSED, failures=7))
    assert ours.get() == counted


def test_GIVEN_failures_in_two_processes_THEN_they_count_together_and_open_the_circuit_for_both(
    dynamodb: Any, clock: FakeClock
) -> None:
    first = breaker_sharing_the_table(dynamodb, clock)
    second = breaker_sharing_the_table(dynamodb, clock)

    with pytest.raises(ConnectionError):
        first.call(failing)
    with pytest.raises(ConnectionError):
        second.call(failing)

    with pytest.raises(CircuitOpen):
        first.call(lambda: "not called")
    assert second.state.status is CircuitStatus.OPEN


def test_GIVEN_an_open_circuit_WHEN_a_new_process_starts_after_the_cooldown_THEN_its_trial_closes_it_for_all(
    dynamodb: Any, clock: FakeClock
) -> None:
    first = breaker_sharing_the_table(dynamodb, clock)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            first.call(failing)
    clock.advance(30)

    assert breaker_sharing_the_table(dynamodb, clock).call(lambda: "recovered") == "recovered"

    assert first.state == CircuitState()


def test_GIVEN_two_circuits_in_one_table_THEN_each_keeps_its_own_state(
    dynamodb: Any, clock: FakeClock
) -> None:
    billing = breaker_sharing_the_table(dynamodb, clock, "billing")
    for _ in range(2):
        with pytest.raises(ConnectionError):
            billing.call(failing)

    assert breaker_sharing_the_table(dynamodb, clock, "shipping").call(lambda: "shipped") == "shipped"
