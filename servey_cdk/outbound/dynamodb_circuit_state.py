"""Circuit state in a DynamoDB item, shared by every Lambda instance that calls a service.

One item per circuit, keyed by its name. Writes are conditional on the item still
holding the state they were computed from, which makes `put` a compare-and-set.
"""

from __future__ import annotations

from typing import Any

from servey_cdk.outbound.circuit_breaker import CircuitState, CircuitStatus


class DynamoDBCircuitStateStore:
    def __init__(
        self, table_name: str, circuit_name: str, client: Any = None, key_attribute: str = "pk"
    ) -> None:
        self.table_name = table_name
        self.circuit_name = circuit_name
        self.key_attribute = key_attribute
        self._client = client

    def get(self) -> CircuitState:
        item = (
            self._dynamodb()
            .get_item(TableName=self.table_name, Key=self._key(), ConsistentRead=True)
            .get("Item")
        )
        if item is None:
            return CircuitState()
        return CircuitState(
            status=CircuitStatus(item["status"]["S"]),
            failures=int(item["failures"]["N"]),
            changed_at=float(item["changed_at"]["N"]),
        )

    def put(self, state: CircuitState, expected: CircuitState) -> bool:
        client = self._dynamodb()
        names = {"#status": "status", "#failures": "failures", "#changed_at": "changed_at"}
        condition = "#status = :status AND #failures = :failures AND #changed_at = :changed_at"
        if expected == CircuitState():
            # A circuit never written to has no item yet, and reads as closed.
            names["#key"] = self.key_attribute
            condition = f"attribute_not_exists(#key) OR ({condition})"
        try:
            client.put_item(
                TableName=self.table_name,
                Item={**self._key(), **_attributes(state)},
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    f":{name}": value for name, value in _attributes(expected).items()
                },
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _key(self) -> dict[str, Any]:
        return {self.key_attribute: {"S": self.circuit_name}}

    def _dynamodb(self) -> Any:
        if self._client is None:
            import boto3  # type: ignore[import-untyped]

            self._client = boto3.client("dynamodb")
        return self._client


def _attributes(state: CircuitState) -> dict[str, Any]:
    return {
        "status": {"S": state.status.value},
        "failures": {"N": str(state.failures)},
        # repr of a float reads back as the same float, so the condition compares exactly.
        "changed_at": {"N": repr(state.changed_at)},
    }
