"""SQS batches: each record's body is the JSON event of a subscription, for its linked action.

Which action a queue feeds: a per-action function has one. The router reads it
from the queue's name, the last part of `eventSourceARN`: the constructs name each
queue so that its name ends with AppSpec's queue name, `<subscription>-<action>`
(a `.fifo` suffix aside). The action takes the event as its one required parameter.

Failed records are logged with their message id and reported in
`batchItemFailures`, so that SQS retries only those and, in the end, moves them to
the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import InvalidInput, NotFound, ServeyError
from servey_cdk.json_input import parse_json
from servey_cdk.triggers import SubscriptionTrigger


class SqsAdapter:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._queues = {
            f"{trigger.subscription.name}-{action.name}": action.name
            for action in runtime.registry.actions
            if runtime.serves(action.name)
            for trigger in action.triggers
            if isinstance(trigger, SubscriptionTrigger)
        }

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            message_id = record.get("messageId")
            try:
                self._process(record, request_id)
            except ServeyError as error:
                self.runtime.report(error, message_id=message_id, queue=record.get("eventSourceARN"))
                failures.append({"itemIdentifier": message_id})
            except Exception as error:  # a record of no known shape fails alone: the rest are done
                self.runtime.log.action_failed("queue record", error, message_id=message_id)
                failures.append({"itemIdentifier": message_id})
        return {"batchItemFailures": failures}

    def _process(self, record: Mapping[str, Any], request_id: str) -> None:
        action = self._action_of(str(record.get("eventSourceARN", "")))
        runner = self.runtime.runner(action)
        required = [parameter.name for parameter in runner.signature.inputs if parameter.required]
        if len(required) != 1:
            raise InvalidInput(f"action {action!r} must take the event as its one required parameter")
        event = parse_json(record["body"], f"the message for action {action!r}", ["body"])
        runner.invoke({required[0]: event}, authorization=None, source="queue", request_id=request_id)

    def _action_of(self, queue_arn: str) -> str:
        if self.runtime.action is not None:
            return self.runtime.action
        queue = queue_arn.rpartition(":")[2].removesuffix(".fifo")
        matches = [name for name in self._queues if queue == name or queue.endswith("-" + name)]
        if not matches:
            raise NotFound(f"no action is linked to queue {queue!r}")
        return self._queues[max(matches, key=len)]
