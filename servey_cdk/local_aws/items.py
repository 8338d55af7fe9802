"""Items in DynamoDB's JSON as plain JSON values: numbers as numbers, binary as base64, sets as lists."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's JSON as plain JSON values."""
    from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]

    deserializer = TypeDeserializer()
    return {name: _plain(deserializer.deserialize(value)) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray) or type(value).__name__ == "Binary":
        return base64.b64encode(bytes(value.value if hasattr(value, "value") else value)).decode()
    if isinstance(value, set | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
