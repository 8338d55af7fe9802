"""An in-process SNS: `POST /_servey/topics/{name}` publishes to an SnsTrigger's topic.

The body is `{"message": …, "subject": …, "attributes": {name: string | number | list}}`;
a message that is not a string is sent as its JSON, as a publisher of JSON does. Each
function subscribed to the topic whose filter policy passes the attributes gets the
event SNS sends Lambda, one per subscription, as SNS invokes Lambda: asynchronously, the
publisher answered with the MessageId at once (`AsyncInvocations`): a failed invocation is
retried twice, as Lambda retries an asynchronous one, then kept in its `failures` (shown by
`GET /_servey/topics`) and logged, where Lambda would send it to the function's DLQ.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_runtime.async_invocations import LAMBDA_ASYNC_RETRY_DELAYS_S, AsyncInvocations
from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import ACCOUNT_ID, REGION
from local_runtime.types import Event
from servey_cdk.appspec import AppSpec, SnsTriggerSpec
from servey_cdk.triggers.sns import (
    attribute_problem,
    filter_matches,
    filter_values,
    topic_subscriptions,
    typed_attribute,
)

MAX_MESSAGE_BYTES = 262_144  # SNS's 256 KB, the message and its attributes together
MAX_SUBJECT_CHARS = 100


class BadPublish(ValueError):
    """A publish SNS would refuse; the message names the field."""


@dataclass(frozen=True)
class Subscription:
    function: str
    topic_arn: str
    arn: str
    filter_policies: tuple[dict[str, Any], ...]

    def passes(self, attributes: dict[str, Any]) -> bool:
        return any(filter_matches(policy, attributes) for policy in self.filter_policies)


class LocalTopics:
    """The spec's SNS topics by name; `retry_delays_s` are the waits before each retry."""

    def __init__(
        self,
        spec: AppSpec,
        invoker: FunctionInvoker,
        retry_delays_s: tuple[float, ...] = LAMBDA_ASYNC_RETRY_DELAYS_S,
    ) -> None:
        self.invocations = AsyncInvocations(invoker, "topics", retry_delays_s)
        self.arns = {trigger.topic: _topic_arn(trigger) for trigger in spec.sns_triggers}
        self.subscriptions: dict[str, list[Subscription]] = {name: [] for name in self.arns}
        for (function, topic), triggers in topic_subscriptions(spec.sns_triggers).items():
            arn = self.arns[topic]
            policies = tuple(trigger.filter_policy for trigger in triggers)
            self.subscriptions[topic].append(Subscription(function, arn, f"{arn}:{uuid.uuid4()}", policies))

    async def endpoint(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.arns:
            known = ", ".join(self.arns) or "none"
            return JSONResponse({"error": "not_found", "detail": f"no topic {name!r} (known: {known})"}, 404)
        try:
            message_id = self.publish(name, *_publish_request(await request.body(), name))
        except BadPublish as error:
            return JSONResponse({"error": "invalid_parameter", "detail": str(error)}, 400)
        return JSONResponse({"MessageId": message_id})

    def publish(self, topic: str, message: str, subject: str | None, attributes: dict[str, Any]) -> str:
        """Start delivering to each subscription whose filter passes; from any thread."""
        message_id = str(uuid.uuid4())
        typed = {name: _typed(value) for name, value in attributes.items()}
        values = filter_values(attributes)
        for subscription in self.subscriptions[topic]:
            if subscription.passes(values):
                event = notification_event(subscription, message_id, message, subject, typed)
                self.invocations.start(f"topic {topic}", subscription.function, message_id, event)
        return message_id

    def to_dict(self) -> dict[str, Any]:
        """The topics, their subscriptions, and the deliveries that failed for good."""
        topics = [
            {"name": name, "arn": arn, "subscriptions": [s.function for s in self.subscriptions[name]]}
            for name, arn in self.arns.items()
        ]
        return {"topics": topics, "failures": [asdict(failure) for failure in self.invocations.failures]}


def _topic_arn(trigger: SnsTriggerSpec) -> str:
    """An existing topic's own ARN; one of the app's own as the emulator's account has it."""
    return trigger.topic_arn or f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{trigger.topic}"


def _publish_request(body: bytes, topic: str) -> tuple[str, str | None, dict[str, Any]]:
    """The message's text, subject and attributes; `BadPublish` names the field at fault."""
    try:
        request = json.loads(body)
    except ValueError:
        raise BadPublish("the body must be a JSON object") from None
    if not isinstance(request, dict):
        raise BadPublish("the body must be a JSON object")
    if "message" not in request:
        raise BadPublish("message: required")
    unknown = sorted(set(request) - {"message", "subject", "attributes"})
    if unknown:
        raise BadPublish(f"{', '.join(unknown)}: not a field of a publish (message, subject, attributes)")
    message = request["message"]
    text = message if isinstance(message, str) else json.dumps(message)
    if not text:
        raise BadPublish("message: must not be empty")
    subject = request.get("subject")
    if subject is not None and (
        not isinstance(subject, str)
        or not 0 < len(subject) <= MAX_SUBJECT_CHARS
        or not subject.isascii()
        or "\n" in subject
    ):
        raise BadPublish(f"subject: must be 1-{MAX_SUBJECT_CHARS} ASCII characters on one line")
    attributes = request.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise BadPublish("attributes: must map names to a string, a number or a list")
    for name, value in attributes.items():
        problem = attribute_problem(name, value)
        if problem is not None:
            raise BadPublish(f"attributes.{name}: {problem}")
    typed = {name: _typed(value) for name, value in attributes.items()}
    size = len(text.encode()) + sum(
        len(f"{name}{attribute['Type']}{attribute['Value']}".encode()) for name, attribute in typed.items()
    )
    if size > MAX_MESSAGE_BYTES:
        raise BadPublish(
            f"message: {size} bytes with its attributes is over topic {topic!r}'s limit of "
            f"{MAX_MESSAGE_BYTES} bytes (256 KB)"
        )
    return text, subject, attributes


def _typed(value: str | int | float | list[Any]) -> dict[str, str]:
    type_, text = typed_attribute(value)
    return {"Type": type_, "Value": text}


def notification_event(
    subscription: Subscription, message_id: str, message: str, subject: str | None, attributes: dict[str, Any]
) -> Event:
    """The event SNS sends a subscribed function, as `tests/events/sns/*.json` records it."""
    endpoint = f"https://sns.{REGION}.amazonaws.com"
    timestamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    notification = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": subscription.topic_arn,
        "Subject": subject,
        "Message": message,
        "Timestamp": timestamp,
        "SignatureVersion": "1",
        "Signature": "bG9jYWwtbm90LXNpZ25lZA==",  # servey-local signs nothing
        "SigningCertUrl": f"{endpoint}/SimpleNotificationService-local.pem",
        "UnsubscribeUrl": f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription.arn}",
        "MessageAttributes": attributes,
    }
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription.arn,
        "Sns": notification,
    }
    return {"Records": [record]}
