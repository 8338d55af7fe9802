"""DynamoDB stream batches, routed to the actions whose `TableStreamTrigger` names the record's table.

A record's table is the `table/<name>` part of its `eventSourceARN`; the constructs pass a
declared table's real name as `SERVEY_TABLE_<LOGICAL NAME>` (without it, the logical name is
matched as it is). The action receives `event_name` (INSERT, MODIFY or REMOVE), `keys`,
`new_image` and `old_image` as plain values (numbers as `Decimal`), those it declares.

A stream is ordered, so the batch stops at its first failed record: that record and every
later one are reported in `batchItemFailures` by sequence number, unrun, and Lambda retries
from there, then sends them to the trigger's dead-letter queue.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.aws.sources import records_of
from servey_cdk.errors import InvalidInput, ServeyError
from servey_cdk.wire import TABLE_PREFIX, environment_name

IMAGES = {"keys": "Keys", "new_image": "NewImage", "old_image": "OldImage"}


def table_name(logical: str) -> str:
    """The real name the constructs passed for a declared table, else the logical name itself."""
    return os.environ.get(environment_name(TABLE_PREFIX, logical), logical)


def table_of(event_source_arn: str) -> str:
    """`arn:aws:dynamodb:…:table/orders/stream/2026-…` → `orders`."""
    return event_source_arn.partition(":table/")[2].partition("/stream/")[0]


class StreamSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._actions: dict[str, list[str]] = {}
        for trigger in runtime.entries("stream_triggers"):
            self._actions.setdefault(table_name(trigger["table"]), []).append(trigger["action"])

    def matches(self, event: Any) -> bool:
        return records_of(event, "aws:dynamodb")

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        records = event["Records"]
        for position, record in enumerate(records):
            if self._failed(record, request_id):  # the rest wait, in order, for this one's retry
                return {
                    "batchItemFailures": [
                        {"itemIdentifier": _sequence(later)} for later in records[position:]
                    ]
                }
        return {"batchItemFailures": []}

    def _failed(self, record: Mapping[str, Any], request_id: str) -> bool:
        table = table_of(str(record.get("eventSourceARN", "")))
        keys = {"table": table, "sequence_number": _sequence(record)}
        actions = self._actions.get(table)
        if actions is None:
            self.runtime.log.rejected(
                "no TableStreamTrigger of this function names the record's table", **keys
            )
            return True
        try:
            values = record_values(record)
        except Exception as error:  # a record of no known shape, logged and failed as any other
            self.runtime.log.action_failed("stream record", error, **keys)
            return True
        for action in actions:
            try:
                runner = self.runtime.runner(action)
                wanted = {parameter.name for parameter in runner.signature.inputs}
                params = {name: value for name, value in values.items() if name in wanted}
                runner.invoke(params, authorization=None, source="stream", request_id=request_id)
            except ServeyError as error:
                self.runtime.report(error, **keys)
                return True
        return False


def record_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """What an action may take of a stream record, its images as plain values."""
    from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]  # first record only

    change = record["dynamodb"]
    if not isinstance(change, Mapping):
        raise InvalidInput("the record's dynamodb is not an object")
    deserializer = TypeDeserializer()
    values: dict[str, Any] = {"event_name": record.get("eventName")}
    for name, key in IMAGES.items():
        image = change.get(key)
        values[name] = None if image is None else {k: deserializer.deserialize(v) for k, v in image.items()}
    return values


def _sequence(record: Mapping[str, Any]) -> Any:
    change = record.get("dynamodb")
    return change.get("SequenceNumber") if isinstance(change, Mapping) else None
