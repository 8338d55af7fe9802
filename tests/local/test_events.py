"""servey-local's EventBridge: events put by hand and by actions over real HTTP, delivered through the
Lambda handler to the rules they match, as EventBridge delivers them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local_runtime.events import envelope
from servey_cdk.event_bus import MAX_ENTRY_BYTES, EventEntry
from tests import servers
from tests.conftest import load_event
from tests.local.test_topics import _eventually, _shape
from tests.subscriptions.test_local_end_to_end import serving

APP = "tests.eventbridge.shop_app"
TIMEOUT_S = 10
SETTLE_S = 0.3  # what was not delivered by now, with the matching ones delivered, is not coming


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with servers.servey_local(["--app", APP]) as (url, _):
        yield url


def _heard(base: str) -> list[dict[str, Any]]:
    heard: list[dict[str, Any]] = httpx.get(f"{base}/actions/heard", timeout=TIMEOUT_S).json()
    return heard


def _runs_after(base: str, before: int, count: int) -> list[dict[str, Any]]:
    """What ran since `before`, once `count` actions have, and nothing more came."""
    _eventually(lambda: len(_heard(base)) >= before + count or None)
    time.sleep(SETTLE_S)
    return _heard(base)[before:]


def _put(base: str, **entry: Any) -> httpx.Response:
    return httpx.post(f"{base}/_servey/events", json=entry, timeout=TIMEOUT_S)


def test_GIVEN_an_event_put_by_hand_WHEN_it_matches_one_rule_THEN_only_that_action_runs(base: str) -> None:
    before = len(_heard(base))
    order = {"order_id": 1, "total": 20}
    answer = _put(base, source="shop.orders", **{"detail-type": "Order Placed"}, detail=order, bus="shop")
    assert answer.status_code == 200
    (entry,) = answer.json()["Entries"]
    assert (len(entry["EventId"]), answer.json()["FailedEntryCount"]) == (36, 0)
    assert _runs_after(base, before, 1) == [{"action": "on_order", "order_id": 1}]  # not on_big_order


def test_GIVEN_an_action_putting_an_event_WHEN_two_rules_match_THEN_each_function_gets_it_once(
    base: str,
) -> None:
    before = len(_heard(base))
    answer = httpx.post(f"{base}/actions/place-order", json={"order_id": 2, "total": 150}, timeout=TIMEOUT_S)
    assert answer.status_code == 200
    assert len(answer.json()) == 36
    runs = _runs_after(base, before, 2)
    assert sorted(run["action"] for run in runs) == ["on_big_order", "on_order"]


def test_GIVEN_an_event_on_the_default_bus_WHEN_both_patterns_of_an_action_match_THEN_it_runs_once(
    base: str,
) -> None:
    before = len(_heard(base))
    build = load_event("eventbridge/codebuild_build_succeeded")
    entry = {"source": build["source"], "detail-type": build["detail-type"], "detail": build["detail"]}
    assert _put(base, **entry).status_code == 200
    (run,) = _runs_after(base, before, 1)
    assert (run["action"], run["status"]) == ("on_build", "SUCCEEDED")
    assert _put(base, **entry, bus="shop").status_code == 200  # no rule on that bus takes it
    assert _runs_after(base, before + 1, 0) == []


def test_GIVEN_an_action_putting_to_a_bus_it_does_not_declare_WHEN_called_THEN_500_and_nothing_is_put(
    base: str,
) -> None:
    sent = httpx.get(f"{base}/_servey/events").json()["sent"]
    answer = httpx.post(f"{base}/actions/sneak-order", json={"order_id": 3}, timeout=TIMEOUT_S)
    assert answer.status_code == 500
    assert httpx.get(f"{base}/_servey/events").json()["sent"] == sent


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"detail-type": "x", "detail": {}}, "source: required"),
        ({"source": "a", "detail": {}}, "detail-type: required"),
        ({"source": "a", "detail-type": "x", "detail": [1]}, "detail: must be a JSON object"),
        ({"source": "a", "detail-type": "x", "detail": "{nope"}, "detail: must be a JSON object"),
        ({"source": "a", "detail-type": "x", "detail": {}, "bus": "billing"}, "bus: no bus 'billing'"),
        ({"source": "a", "detail-type": "x", "detail": {}, "time": "now"}, "time: not a field"),
        ({"source": "a", "detail-type": "x", "detail": {"b": "x" * MAX_ENTRY_BYTES}}, "the entry is"),
    ],
)
def test_GIVEN_an_entry_putevents_refuses_WHEN_put_by_hand_THEN_400_names_the_field(
    base: str, entry: dict[str, Any], problem: str
) -> None:
    answer = _put(base, **entry)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(problem)


def test_GIVEN_a_failing_action_WHEN_its_event_is_put_THEN_it_is_retried_twice_then_recorded() -> None:
    with serving(APP) as server:
        server.runtime.events.invocations.retry_delays_s = (0.05, 0.05)  # Lambda waits a minute, then two
        url = f"http://{server.base}"
        failing = {
            "source": "shop.orders",
            "detail-type": "Order Placed",
            "detail": {"order_id": 4, "fail": True},
        }
        event_id = _put(url, **failing, bus="shop").json()["Entries"][0]["EventId"]
        failures = _eventually(lambda: httpx.get(f"{url}/_servey/events").json()["failures"] or None)
    assert failures == [
        {
            "sender": "event rule on_order-events",
            "function": "on_order",
            "event_id": event_id,
            "attempts": 3,
            "error": failures[0]["error"],
        }
    ]
    assert "EventBridgeEventFailed" in failures[0]["error"]


def test_GIVEN_a_put_THEN_the_event_has_the_recorded_eventbridge_shape() -> None:
    event = envelope(EventEntry("shop.orders", "Order Placed", '{"order_id":1042}', "shop"), "id-1")
    recorded = load_event("eventbridge/order_placed")
    assert _shape({**event, "detail": {}}) == _shape({**recorded, "detail": {}})
    assert event["time"].endswith("Z")
    assert event["detail"] == {"order_id": 1042}
