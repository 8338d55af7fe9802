"""Subscriptions: events are checked against their type, and never silently dropped."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from servey_cdk import AllowAll, ScopeAccessControl, Subscription, subscription
from servey_cdk.subscriptions import NoPublisher, recording_publisher, set_publisher


@dataclasses.dataclass
class Reading:
    sensor: str
    at: datetime


@dataclasses.dataclass
class Recorder:
    sent: list[tuple[str, Any, str | None]] = dataclasses.field(default_factory=list)

    def publish(
        self, subscription: Subscription[Any], event: Any, connection_id: str | None, attributes: Any = None
    ) -> None:
        self.sent.append((subscription.name, event, connection_id))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    installed = Recorder()
    previous = set_publisher(installed)
    yield installed
    set_publisher(previous)


@pytest.fixture
def no_publisher() -> Iterator[None]:
    previous = set_publisher(NoPublisher())
    yield
    set_publisher(previous)


def test_GIVEN_a_publisher_WHEN_publishing_THEN_it_receives_the_json_shaped_event(recorder: Recorder) -> None:
    readings = subscription(Reading, "readings")

    readings.publish(Reading("s1", datetime(2026, 1, 1, tzinfo=UTC)))

    assert recorder.sent == [("readings", {"sensor": "s1", "at": "2026-01-01T00:00:00Z"}, None)]


def test_GIVEN_a_connection_id_WHEN_publishing_THEN_the_publisher_receives_it(recorder: Recorder) -> None:
    subscription(str, "messages").publish("hi", "conn-1")
    assert recorder.sent == [("messages", "hi", "conn-1")]


def test_GIVEN_a_json_shaped_event_WHEN_publishing_THEN_it_is_validated_into_the_type(
    recorder: Recorder,
) -> None:
    subscription(Reading, "readings").publish({"sensor": "s1", "at": "2026-01-01T00:00:00+00:00"})  # type: ignore[arg-type]
    assert recorder.sent[0][1] == {"sensor": "s1", "at": "2026-01-01T00:00:00Z"}


def test_GIVEN_an_event_of_the_wrong_type_WHEN_publishing_THEN_it_fails_naming_the_subscription(
    recorder: Recorder,
) -> None:
    with pytest.raises(ValueError, match="'readings' is invalid"):
        subscription(Reading, "readings").publish({"sensor": "s1"})  # type: ignore[arg-type]
    assert recorder.sent == []


def test_GIVEN_no_publisher_WHEN_publishing_THEN_it_fails_clearly(no_publisher: None) -> None:
    with pytest.raises(RuntimeError, match="cannot publish to 'messages': no publisher is configured"):
        subscription(str, "messages").publish("lost?")


def test_GIVEN_a_publisher_WHEN_replaced_THEN_set_publisher_returns_the_previous_one(
    recorder: Recorder,
) -> None:
    other = Recorder()
    assert set_publisher(other) is recorder
    assert set_publisher(recorder) is other


def test_GIVEN_no_options_THEN_a_subscription_is_open_and_subscribable() -> None:
    messages = subscription(str, "messages")

    assert (messages.name, messages.event_type, messages.is_subscribable) == ("messages", str, True)
    assert isinstance(messages.access_control, AllowAll)
    assert messages.event_filter is None


def test_GIVEN_options_THEN_the_subscription_keeps_them() -> None:
    def only_own(event: Any, authorization: Any) -> bool:
        return True

    alerts = subscription(str, "alerts", False, ScopeAccessControl("ops"), only_own)

    assert alerts.is_subscribable is False
    assert alerts.access_control == ScopeAccessControl("ops")
    assert alerts.event_filter is only_own


def test_GIVEN_an_event_over_sqs_message_limit_WHEN_published_THEN_nothing_is_sent_and_the_error_names_it(
    recorder: Recorder,
) -> None:
    quiet = subscription(str, "bulk", is_subscribable=False)
    with pytest.raises(ValueError, match=r"subscription 'bulk' is 262147 bytes, over SQS's 262144-byte"):
        quiet.publish("x" * 262_145)  # two quotes more, as JSON
    quiet.publish("x" * 262_142)
    assert [name for name, _, _ in recorder.sent] == ["bulk"]


def test_GIVEN_a_subscribable_event_over_the_websocket_limit_WHEN_published_THEN_it_is_refused_before_sending(
    recorder: Recorder,
) -> None:
    alerts = subscription(str, "alerts")
    with pytest.raises(ValueError, match=r"subscription 'alerts' makes a \d+-byte websocket message, over"):
        alerts.publish("x" * 131_072)
    alerts.publish("x" * 131_000)
    assert recorder.sent[0][0] == "alerts"
    assert len(recorder.sent) == 1


def test_GIVEN_no_publisher_WHEN_publishing_THEN_the_error_says_what_to_do() -> None:
    previous = set_publisher(NoPublisher())
    try:
        with pytest.raises(RuntimeError, match=r"`servey run` or as an example test.*recording_publisher"):
            subscription(str, "alerts").publish("hi")
    finally:
        set_publisher(previous)


def test_GIVEN_recording_publisher_WHEN_publishing_inside_THEN_kept_and_the_old_one_is_back_after() -> None:
    alerts = subscription(str, "alerts")
    previous = set_publisher(NoPublisher())
    try:
        with recording_publisher() as published:
            alerts.publish("hi")
            alerts.publish("you", connection_id="c-1")
        with pytest.raises(RuntimeError, match="no publisher is configured"):
            alerts.publish("after")
    finally:
        set_publisher(previous)

    assert published.deliveries == [("alerts", "hi", None), ("alerts", "you", "c-1")]
