"""What a sandbox publishes to moto's SNS or puts on moto's EventBridge, delivered to the sandboxes.

moto holds the stack's topics and buses but invokes no sandbox, so the emulator taps them
with queues of its own: each Lambda subscription of the template becomes a tap queue
subscribed to its topic with the subscription's filter policy (moto filters, as SNS does),
and each bus that rules target functions on gets a tap queue fed by a rule taking every
event of the bus. A thread receives each tap and starts, for each notification, and for
each event and each of the template's rules on its bus whose pattern it matches, the
asynchronous invocation that `POST /_servey/topics/{name}` and `POST /_servey/events` start
(`LocalTopics`, `LocalEvents`): retried as Lambda retries, and kept in their `failures`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from local_runtime.async_invocations import AsyncInvocations
from servey_cdk.event_patterns import matches
from servey_cdk.rehearsal.assembly import StackAssembly
from servey_cdk.rehearsal.local_aws import ACCOUNT_ID, LocalAws
from servey_cdk.rehearsal.wiring import Wire, wires_of
from servey_cdk.triggers.events import DEFAULT_BUS

log = logging.getLogger(__name__)
TAP_WAIT_S = 1  # each receive long-polls this long, so a stop is never kept waiting
EVERY_EVENT = {"version": ["0"]}  # every EventBridge event's version
LAMBDA_NAMES = {"SigningCertURL": "SigningCertUrl", "UnsubscribeURL": "UnsubscribeUrl"}  # SQS's → Lambda's


@dataclass(frozen=True)
class Tap:
    """A queue of the emulator's, and what to do with each message body it receives."""

    url: str
    deliver: Callable[[dict[str, Any]], None]  # RuntimeError: the emulator is not running yet


def stack_taps(
    stack: StackAssembly,
    aws: LocalAws,
    names: dict[str, str],
    topics: AsyncInvocations,
    events: AsyncInvocations,
) -> list[Tap]:
    """The taps of the stack's topic subscriptions and rules of functions in `names` (logical id → name)."""
    wires = [wire for wire in wires_of(stack) if wire.function in names]
    return [*_topic_taps(aws, names, wires, topics), *_bus_taps(aws, names, wires, events)]


def _topic_taps(
    aws: LocalAws, names: dict[str, str], wires: list[Wire], topics: AsyncInvocations
) -> Iterator[Tap]:
    held = {found["TopicArn"] for found in aws.values.values() if "TopicArn" in found}
    for index, wire in enumerate(w for w in wires if w.kind == "topic"):
        topic_arn = str(aws.resolve(wire.detail["topic"]))
        if topic_arn not in held:
            continue  # an existing topic: nothing in this stack publishes to it locally
        url, arn = _tap_queue(aws, f"servey-local-topic-tap-{index}")
        attributes = {"RawMessageDelivery": "false"}
        if wire.detail["filter_policy"]:
            attributes["FilterPolicy"] = json.dumps(wire.detail["filter_policy"])
        subscription = aws.client("sns").subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        yield Tap(url, _notify(topics, names[wire.function], topic_arn, subscription))


def _notify(
    invocations: AsyncInvocations, function: str, topic_arn: str, subscription: str
) -> Callable[[Any], None]:
    def deliver(body: dict[str, Any]) -> None:
        notification = {LAMBDA_NAMES.get(key, key): value for key, value in body.items()}
        notification = {"Subject": None, "MessageAttributes": {}, **notification}
        record = {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription}
        event = {"Records": [{**record, "Sns": notification}]}
        invocations.start(f"topic {topic_arn.rpartition(':')[2]}", function, body["MessageId"], event)

    return deliver


def _bus_taps(
    aws: LocalAws, names: dict[str, str], wires: list[Wire], events: AsyncInvocations
) -> Iterator[Tap]:
    held = {DEFAULT_BUS, *(aws.values[bus]["Name"] for bus in aws.stack.of_type("AWS::Events::EventBus"))}
    rules: dict[str, list[Wire]] = {}
    for wire in wires:
        if wire.kind == "event":
            bus = DEFAULT_BUS if wire.detail["bus"] is None else str(aws.resolve(wire.detail["bus"]))
            rules.setdefault(bus, []).append(wire)
    for index, (bus, targets) in enumerate(rules.items()):
        if bus not in held:
            continue  # an existing bus: nothing in this stack puts to it locally
        url, arn = _tap_queue(aws, f"servey-local-bus-tap-{index}")
        client = aws.client("events")
        client.put_rule(Name="servey-local-tap", EventBusName=bus, EventPattern=json.dumps(EVERY_EVENT))
        client.put_targets(Rule="servey-local-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
        yield Tap(url, _route(events, names, bus, targets))


def _route(
    invocations: AsyncInvocations, names: dict[str, str], bus: str, rules: list[Wire]
) -> Callable[[Any], None]:
    def deliver(body: dict[str, Any]) -> None:
        event = {"account": ACCOUNT_ID, **body}  # moto's envelope leaves out EventBridge's `account`
        for rule in rules:
            if matches(rule.detail["pattern"], event):
                function = names[rule.function]
                invocations.start(f"event rule of {function} on bus {bus}", function, event["id"], event)

    return deliver


def _tap_queue(aws: LocalAws, name: str) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


class TapPollers:
    """A thread per tap, receiving until `stop`; a message is deleted once its delivery has started."""

    def __init__(self, sqs: Any, taps: list[Tap]) -> None:
        self.sqs = sqs
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._poll, args=(tap,), daemon=True) for tap in taps]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(TAP_WAIT_S * 3)

    def _poll(self, tap: Tap) -> None:
        while not self._stopping.is_set():
            try:
                answer = self.sqs.receive_message(
                    QueueUrl=tap.url, MaxNumberOfMessages=10, WaitTimeSeconds=TAP_WAIT_S
                )
            except Exception:  # moto is going away, or hiccuped: say so unless stopping
                if not self._stopping.is_set():
                    log.exception("tap %s: receiving failed", tap.url)
                    self._stopping.wait(TAP_WAIT_S)
                continue
            for message in answer.get("Messages", []):
                try:
                    tap.deliver(json.loads(message["Body"]))
                except RuntimeError:  # not running yet: it comes back after its visibility timeout
                    continue
                self.sqs.delete_message(QueueUrl=tap.url, ReceiptHandle=message["ReceiptHandle"])
