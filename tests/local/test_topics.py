"""servey-local's SNS: publishing to the SNS test app's topics over real HTTP, through the Lambda handler."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from local_runtime.invoker import FunctionInvoker
from local_runtime.topics import MAX_MESSAGE_BYTES, LocalTopics, notification_event
from servey_cdk.appspec_builder import build_spec
from servey_cdk.discovery import discover
from tests import servers
from tests.conftest import load_event
from tests.subscriptions.test_local_end_to_end import serving

APP = "tests.sns.orders_app"
TIMEOUT_S = 10


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with servers.servey_local(["--app", APP]) as (url, _):
        yield url


def _heard(base: str, count: int) -> list[dict[str, Any]]:
    """What the test app's actions were given, once `count` of them ran."""
    return _eventually(lambda: _at_least(httpx.get(f"{base}/actions/heard", timeout=TIMEOUT_S).json(), count))


def _at_least(items: list[Any], count: int) -> list[Any] | None:
    return items if len(items) >= count else None


def _eventually(found: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + TIMEOUT_S
    while (value := found()) is None:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


def test_GIVEN_a_message_the_filter_passes_WHEN_published_THEN_the_action_gets_message_subject_attributes(
    base: str,
) -> None:
    before = len(httpx.get(f"{base}/actions/heard").json())
    attributes = {"kind": "placed", "total": 19.5, "channels": ["web", "mobile"]}
    body = {"message": {"order_id": 1042}, "subject": "order 1042", "attributes": attributes}
    answer = httpx.post(f"{base}/_servey/topics/orders", json=body, timeout=TIMEOUT_S)
    assert answer.status_code == 200
    assert len(answer.json()["MessageId"]) == 36
    heard = _heard(base, before + 1)[before:]
    assert heard == [
        {
            "action": "on_order",
            "message": {"order_id": 1042},
            "subject": "order 1042",
            "attributes": {"kind": "placed", "total": "19.5", "channels": ["web", "mobile"]},
        }
    ]


def test_GIVEN_a_message_the_filter_refuses_WHEN_published_THEN_the_action_does_not_run(base: str) -> None:
    before = len(httpx.get(f"{base}/actions/heard").json())
    refused = {"message": "shipped", "attributes": {"kind": "shipped"}}
    assert httpx.post(f"{base}/_servey/topics/orders", json=refused).status_code == 200
    passing = {"message": "order 1043 was cancelled", "attributes": {"kind": "cancelled"}}
    assert httpx.post(f"{base}/_servey/topics/orders", json=passing).status_code == 200
    heard = _heard(base, before + 1)
    time.sleep(0.3)  # the refused one, had it been delivered, would have run by now too
    assert [item["message"] for item in httpx.get(f"{base}/actions/heard").json()[before:]] == [
        "order 1043 was cancelled"
    ]
    assert heard[before]["attributes"] == {"kind": "cancelled"}


def test_GIVEN_an_existing_topic_WHEN_published_to_by_its_name_THEN_its_action_runs(base: str) -> None:
    before = len(httpx.get(f"{base}/actions/heard").json())
    assert httpx.post(f"{base}/_servey/topics/partner-events", json={"message": [1, 2]}).status_code == 200
    assert _heard(base, before + 1)[before:] == [{"action": "on_partner_event", "message": [1, 2]}]


def test_GIVEN_a_message_over_256_KB_WHEN_published_THEN_it_is_refused_naming_the_topic(base: str) -> None:
    answer = httpx.post(f"{base}/_servey/topics/orders", json={"message": "x" * (MAX_MESSAGE_BYTES + 1)})
    assert answer.status_code == 400
    assert "topic 'orders'" in answer.json()["detail"]


def test_GIVEN_an_unknown_topic_WHEN_published_to_THEN_404_names_the_known_topics(base: str) -> None:
    answer = httpx.post(f"{base}/_servey/topics/invoices", json={"message": "x"})
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no topic 'invoices' (known: orders, partner-events)"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "no message"}, "message: required"),
        ({"message": "m", "subject": "a\nb"}, "subject:"),
        ({"message": "m", "attributes": {"kind": True}}, "attributes.kind:"),
        ({"message": "m", "attributes": {"kind": [{"nested": 1}]}}, "attributes.kind:"),
        ({"message": "m", "sender": "me"}, "sender:"),
    ],
)
def test_GIVEN_a_bad_body_WHEN_published_THEN_400_names_the_field(
    base: str, body: dict[str, Any], field: str
) -> None:
    answer = httpx.post(f"{base}/_servey/topics/orders", json=body)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(field)


def test_GIVEN_a_failing_action_WHEN_published_THEN_it_is_retried_twice_then_recorded() -> None:
    with serving(APP) as server:
        server.runtime.topics.invocations.retry_delays_s = (0.05, 0.05)  # Lambda waits 1 min, then 2
        base = f"http://{server.base}"
        failing = {"message": "fail", "attributes": {"kind": "placed"}}
        message_id = httpx.post(f"{base}/_servey/topics/orders", json=failing).json()["MessageId"]
        failures = _eventually(lambda: httpx.get(f"{base}/_servey/topics").json()["failures"] or None)
    assert failures == [
        {
            "sender": "topic orders",
            "function": "on_order",
            "event_id": message_id,
            "attempts": 3,
            "error": failures[0]["error"],
        }
    ]
    assert "SnsEventsFailed" in failures[0]["error"]


def _shape(value: Any) -> Any:
    """The keys of an event, all the way down, with the type of each leaf."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def test_GIVEN_a_publish_THEN_the_event_has_the_recorded_sns_shape_and_the_adapter_takes_it() -> None:
    spec = build_spec(discover(APP))
    (subscription,) = LocalTopics(spec, FunctionInvoker(spec, handler=print)).subscriptions["orders"]
    attributes = {"kind": {"Type": "String", "Value": "placed"}}
    event = notification_event(subscription, str(uuid.uuid4()), "{}", "order 1042", attributes)
    recorded = load_event("sns/sns_notification")
    recorded["Records"][0]["Sns"]["MessageAttributes"] = attributes
    assert _shape(event) == _shape(recorded)
    assert event["Records"][0]["Sns"]["Timestamp"].endswith("Z")
    assert event["Records"][0]["Sns"]["TopicArn"] == "arn:aws:sns:local:000000000000:orders"
