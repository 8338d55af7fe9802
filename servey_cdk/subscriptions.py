"""Subscriptions: typed event channels that websocket clients and linked actions receive.

`subscription(...)` only describes the channel. Publishing validates the event
against its type, then hands it to the publisher of the runtime it is running in
(the local emulator, or Lambda with DynamoDB, API Gateway and SQS behind it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from servey_cdk.access_control import AccessControl, AllowAll
from servey_cdk.authorization import Authorization
from servey_cdk.triggers.sns import FanOut, attribute_problem

if TYPE_CHECKING:
    from pydantic import TypeAdapter

T = TypeVar("T")

EventFilter = Callable[[Any, Authorization | None], bool]
QUEUE_MESSAGE_MAX_BYTES = 262_144  # SQS's, which the constructs set on every linked action's queue
RAW_DELIVERY_MAX_ATTRIBUTES = 10  # SQS's: SNS discards a raw delivery of a message with more
WEBSOCKET_MESSAGE_MAX_BYTES = 131_072  # API Gateway's, for a message posted to a websocket connection
_ENVELOPE_BYTES = len('{"subscription": , "event": }')


class Publisher(Protocol):
    def publish(
        self,
        subscription: Subscription[Any],
        event: Any,
        connection_id: str | None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Deliver a validated, JSON-shaped event to subscribers and linked actions; `attributes`
        (a fan-out's message attributes) only for a subscription with `fan_out`."""
        ...


class NoPublisher:
    """Used until a runtime installs its publisher; refuses rather than drop events."""

    def publish(
        self,
        subscription: Subscription[Any],
        event: Any,
        connection_id: str | None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        raise RuntimeError(
            f"cannot publish to {subscription.name!r}: no publisher is configured. Run the action under "
            "servey-local, on Lambda, with `servey run` or as an example test; in a test of your own, "
            "inside `with recording_publisher() as published:` (from servey_cdk.testing)"
        )


class RecordingPublisher:
    """An in-process publisher that keeps each delivery instead of sending it: see `recording_publisher`."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, Any, str | None]] = []  # subscription, event, connection

    def publish(
        self,
        subscription: Subscription[Any],
        event: Any,
        connection_id: str | None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        self.deliveries.append((subscription.name, event, connection_id))


_publisher: list[Publisher] = [NoPublisher()]


def set_publisher(publisher: Publisher) -> Publisher:
    """Install the runtime's publisher; returns the previous one."""
    previous = _publisher[0]
    _publisher[0] = publisher
    return previous


@contextmanager
def recording_publisher() -> Iterator[RecordingPublisher]:
    """A `RecordingPublisher` installed for the block, the previous publisher back after it: how
    `servey run` and the example tests run a publishing action without sending anything."""
    recorder = RecordingPublisher()
    previous = set_publisher(recorder)
    try:
        yield recorder
    finally:
        set_publisher(previous)


@dataclass(frozen=True, eq=False)
class Subscription(Generic[T]):
    """A named channel of events of one type.

    `is_subscribable` lets websocket clients subscribe; `access_control` decides who
    may; `event_filter(event, subscriber_authorization)` decides, per subscriber,
    whether an event is delivered. `fan_out="sns"` publishes each event once, to an SNS
    topic of the subscription's, instead of to each linked action's queue: the queues are
    subscribed to the topic, each with its `SubscriptionTrigger`'s filter policy on the
    message attributes given to `publish` (tomodachi's SNS+SQS pub/sub).
    """

    event_type: Any
    name: str
    is_subscribable: bool = True
    access_control: AccessControl = field(default_factory=AllowAll)
    event_filter: EventFilter | None = None
    fan_out: FanOut | None = None

    @property
    def adapter(self) -> TypeAdapter[Any]:
        from pydantic import TypeAdapter

        return TypeAdapter(self.event_type)

    def publish(
        self, event: T, connection_id: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> None:
        """Send `event` to one connection, or to every subscriber when none is given; `attributes`
        (name → a string, a number or a list) are the fan-out message's, which filter policies read."""
        from pydantic import ValidationError

        if attributes and self.fan_out is None:
            raise ValueError(
                f"subscription {self.name!r}: message attributes go with a fan-out subscription "
                "(subscription(..., fan_out='sns'))"
            )
        if len(attributes or {}) > RAW_DELIVERY_MAX_ATTRIBUTES:
            raise ValueError(
                f"subscription {self.name!r}: {len(attributes or {})} message attributes, over the "
                f"{RAW_DELIVERY_MAX_ATTRIBUTES} that SNS delivers raw to an SQS queue"
            )
        for name, value in (attributes or {}).items():
            problem = attribute_problem(name, value)
            if problem is not None:
                raise ValueError(f"subscription {self.name!r}: attribute {name!r} {problem}")

        adapter = self.adapter
        try:
            checked = adapter.validate_python(event)
        except ValidationError as error:
            raise ValueError(f"event for subscription {self.name!r} is invalid: {error}") from None
        shaped = adapter.dump_python(checked, mode="json")
        self._refuse_oversize(shaped)
        fan_out_attributes = dict(attributes or {}) if self.fan_out else None
        _publisher[0].publish(self, shaped, connection_id, fan_out_attributes)

    def _refuse_oversize(self, event: Any) -> None:
        """Refuse before anything is sent what AWS would refuse: an SQS message, or a websocket
        message (which API Gateway drops in silence), over its limit."""
        size = len(json.dumps(event))  # ASCII, as the publishers send it
        if size > QUEUE_MESSAGE_MAX_BYTES:
            raise ValueError(
                f"event for subscription {self.name!r} is {size} bytes, over SQS's "
                f"{QUEUE_MESSAGE_MAX_BYTES}-byte message limit"
            )
        posted = size + len(json.dumps(self.name)) + _ENVELOPE_BYTES
        if self.is_subscribable and posted > WEBSOCKET_MESSAGE_MAX_BYTES:
            raise ValueError(
                f"event for subscription {self.name!r} makes a {posted}-byte websocket message, over "
                f"API Gateway's {WEBSOCKET_MESSAGE_MAX_BYTES}-byte limit"
            )


def subscription(
    event_type: type[T] | Any,
    name: str,
    is_subscribable: bool = True,
    access_control: AccessControl | None = None,
    event_filter: EventFilter | None = None,
    fan_out: FanOut | None = None,
) -> Subscription[T]:
    return Subscription(
        event_type, name, is_subscribable, access_control or AllowAll(), event_filter, fan_out
    )
