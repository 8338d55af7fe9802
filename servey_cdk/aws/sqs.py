"""SQS batches: each record's body is the JSON event of a subscription, for its linked action.

Which action a queue feeds is the spec's. A function fed by one queue runs its
action; otherwise the queue is found by its name, the last part of `eventSourceARN`,
which the constructs make end with the spec's queue name (a `.fifo` suffix aside).
The action takes the event as its one required parameter.

Failed records are logged with their message id and reported in
`batchItemFailures`, so that SQS retries only those and, in the end, moves them to
the dead-letter queue. A FIFO queue's batch (a `.fifo` queue, or records with a
`MessageGroupId`) stops at its first failure: that record and every later one are
reported, without running, so that none overtakes the one that failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.aws.sources import records_of
from servey_cdk.errors import InvalidInput, NotFound, ServeyError
from servey_cdk.json_input import parse_json
from servey_cdk.wire import named_by


class SqsSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._queues: dict[str, str] = {queue["name"]: queue["action"] for queue in runtime.entries("queues")}

    def matches(self, event: Any) -> bool:
        return records_of(event, "aws:sqs")

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        records = event["Records"]
        failures = []
        for position, record in enumerate(records):
            if self._failed(record, request_id):
                if is_fifo(record):  # the rest wait, in order, for this one's retry
                    failures += [{"itemIdentifier": later.get("messageId")} for later in records[position:]]
                    break
                failures.append({"itemIdentifier": record.get("messageId")})
        return {"batchItemFailures": failures}

    def _failed(self, record: Mapping[str, Any], request_id: str) -> bool:
        message_id = record.get("messageId")
        try:
            self._process(record, request_id)
        except ServeyError as error:
            self.runtime.report(error, message_id=message_id, queue=record.get("eventSourceARN"))
            return True
        except Exception as error:  # a record of no known shape, logged and failed as any other
            self.runtime.log.action_failed("queue record", error, message_id=message_id)
            return True
        return False

    def _process(self, record: Mapping[str, Any], request_id: str) -> None:
        action = self._action_of(str(record.get("eventSourceARN", "")))
        runner = self.runtime.runner(action)
        required = [parameter.name for parameter in runner.signature.inputs if parameter.required]
        if len(required) != 1:
            raise InvalidInput(f"action {action!r} must take the event as its one required parameter")
        event = parse_json(record["body"], f"the message for action {action!r}", ["body"])
        runner.invoke({required[0]: event}, authorization=None, source="queue", request_id=request_id)

    def _action_of(self, queue_arn: str) -> str:
        if self.runtime.function is not None and len(self._queues) == 1:  # its event source mapping's
            return next(iter(self._queues.values()))
        queue = queue_arn.rpartition(":")[2].removesuffix(".fifo")
        name = named_by(queue, self._queues)
        if name is None:
            raise NotFound(f"no action is linked to queue {queue!r}")
        return self._queues[name]


def is_fifo(record: Mapping[str, Any]) -> bool:
    """Whether a record comes from a FIFO queue, whose order within a message group must hold."""
    attributes = record.get("attributes")
    grouped = isinstance(attributes, Mapping) and "MessageGroupId" in attributes
    return grouped or str(record.get("eventSourceARN", "")).endswith(".fifo")
