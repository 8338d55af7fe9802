"""SNS notifications, routed to the actions whose `SnsTrigger` names the record's topic.

A trigger on a topic of the app's own matches a `TopicArn` whose name ends with the
topic's name (the constructs name topics so, after the stack's prefix); one on an
existing topic matches its ARN exactly. The subscription's filter policy is applied
again here, since one function may be subscribed to one topic several times.

The action gets the message (parsed as JSON when it is JSON, else the text) as its one
required parameter, and `subject` and `attributes` (name → value) when it declares them.
SNS invokes Lambda asynchronously: every record is processed, and if any failed the
invocation fails afterwards, so that Lambda retries and then sends it to the function's DLQ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.aws.sources import records_of
from servey_cdk.errors import ServeyError
from servey_cdk.triggers.sns import MESSAGE_PARAMS, filter_matches
from servey_cdk.wire import named_by


class SnsEventsFailed(Exception):
    """Some records of an SNS event failed; each was logged."""


class SnsSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._triggers = runtime.entries("sns_triggers")

    def matches(self, event: Any) -> bool:
        return records_of(event, "aws:sns", key="EventSource")

    def handle(self, event: Mapping[str, Any], request_id: str) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        failed = 0
        for record in event["Records"]:
            sns = record["Sns"]
            topic_arn = str(sns.get("TopicArn", ""))
            attributes = {
                name: _attribute(value) for name, value in (sns.get("MessageAttributes") or {}).items()
            }
            triggers = self._triggers_of(topic_arn)
            if not triggers:
                self.runtime.log.rejected(
                    f"no SnsTrigger matches topic {topic_arn!r}", message_id=sns.get("MessageId")
                )
            values = {"subject": sns.get("Subject"), "attributes": attributes}
            message = _message(sns.get("Message"))
            for trigger in triggers:
                if not filter_matches(trigger["filter_policy"], attributes):
                    continue
                action = trigger["action"]
                try:
                    runner = self.runtime.runner(action)
                    inputs = runner.signature.inputs
                    required = [p.name for p in inputs if p.required and p.name not in MESSAGE_PARAMS]
                    params = {p.name: values[p.name] for p in inputs if p.name in MESSAGE_PARAMS}
                    params.update(dict.fromkeys(required[:1], message))
                    result = runner.invoke(params, authorization=None, source="sns", request_id=request_id)
                    dumped = runner.dump(result)
                    done.append({"action": action, "message_id": sns.get("MessageId"), "result": dumped})
                except ServeyError as error:
                    self.runtime.report(error, topic=topic_arn, message_id=sns.get("MessageId"))
                    failed += 1
        if failed:
            raise SnsEventsFailed(f"{failed} of the event's notifications failed; see the logs")
        return done

    def _triggers_of(self, topic_arn: str) -> list[Mapping[str, Any]]:
        name = topic_arn.rpartition(":")[2]
        own = named_by(name, {t["topic"] for t in self._triggers if t["topic_arn"] is None})
        return [
            trigger
            for trigger in self._triggers
            if (trigger["topic_arn"] == topic_arn if trigger["topic_arn"] else trigger["topic"] == own)
        ]


def _message(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _attribute(value: Any) -> Any:
    """An attribute's value: a `String.Array`'s list, a `Number`'s text, or the string."""
    if not isinstance(value, Mapping):
        return value
    if value.get("Type") == "String.Array":
        parsed = _message(value.get("Value"))
        return parsed if isinstance(parsed, list) else value.get("Value")
    return value.get("Value")
