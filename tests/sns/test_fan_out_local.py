"""A fan-out subscription on servey-local over real HTTP: a publish reaches each linked action whose
filter policy its attributes pass, through the emulated queues and the Lambda handler."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from servey_cdk import SubscriptionTrigger, action, get_action, subscription
from servey_cdk.appspec_builder import build_spec
from servey_cdk.discovery import Registry, discover
from servey_cdk.errors import AppDefinitionError
from tests.sns.fan_out_app import order_events
from tests.subscriptions.test_local_end_to_end import serving

TIMEOUT_S = 10


def _seen_once(base: str, count: int) -> dict[str, list[object]]:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        seen: dict[str, list[object]] = httpx.get(f"{base}/actions/seen", timeout=TIMEOUT_S).json()
        if sum(map(len, seen.values())) >= count:
            return seen
        assert time.monotonic() < deadline, f"timed out: {seen}"
        time.sleep(0.05)


def test_GIVEN_a_fan_out_WHEN_published_THEN_each_link_gets_what_its_filter_policy_passes() -> None:
    with serving("tests.sns.fan_out_app") as server:
        base = f"http://{server.base}"
        for kind, order_id in (("shipped", 1), ("placed", 2)):
            answer = httpx.post(f"{base}/actions/place-order", json={"order_id": order_id, "kind": kind})
            assert answer.json() is True
        seen = _seen_once(base, 3)
        time.sleep(0.3)  # had the filter let the shipped order through to bill, it would be here by now
        assert httpx.get(f"{base}/actions/seen").json() == {
            "bill": [{"order_id": 2, "kind": "placed"}],
            "audit": [{"order_id": 1, "kind": "shipped"}, {"order_id": 2, "kind": "placed"}],
        }
        assert seen["bill"] == [{"order_id": 2, "kind": "placed"}]


def test_GIVEN_a_plain_subscription_WHEN_published_with_attributes_THEN_it_is_refused_naming_it() -> None:
    plain = subscription(str, "plain", is_subscribable=False)
    with pytest.raises(ValueError, match="subscription 'plain': message attributes go with a fan-out"):
        plain.publish("x", attributes={"kind": "a"})


def test_GIVEN_a_fan_out_WHEN_published_with_a_bad_attribute_THEN_it_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="subscription 'order_events': attribute 'kind' must be a string"):
        order_events.publish({"order_id": 1}, attributes={"kind": True})


def test_GIVEN_a_filter_policy_on_a_plain_subscription_WHEN_built_THEN_the_problem_names_the_action() -> None:
    plain = subscription(str, "plain_news", is_subscribable=False)

    @action(name="take_news", triggers=SubscriptionTrigger(plain, filter_policy={"kind": ["a"]}))
    def take_news(text: str) -> None: ...

    registry = Registry("tests.sns", Path(__file__).parent, (get_action(take_news),), (plain,))
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(registry)
    assert "subscription 'plain_news': a filter_policy needs a fan-out subscription" in str(raised.value)


def test_GIVEN_a_fan_out_app_WHEN_built_THEN_the_spec_carries_the_fan_out_and_each_filter_policy() -> None:
    spec = build_spec(discover("tests.sns.fan_out_app"))
    (item,) = spec.subscriptions
    assert item.fan_out == "sns"
    assert {queue.name: queue.filter_policy for queue in spec.queues} == {
        "order_events-bill": {"kind": ["placed"]},
        "order_events-audit": {},
    }
    assert type(spec).from_dict(spec.to_dict()) == spec


def test_GIVEN_an_unknown_fan_out_WHEN_built_THEN_the_problem_names_the_subscription() -> None:
    odd = subscription(str, "odd", is_subscribable=False, fan_out="kafka")  # type: ignore[arg-type]
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(Registry("tests.sns", Path(__file__).parent, (), (odd,)))
    assert "subscription 'odd': fan_out 'kafka' is not one of sns" in str(raised.value)


def test_GIVEN_a_fan_out_WHEN_published_with_over_10_attributes_THEN_it_is_refused_as_sqs_would() -> None:
    attributes = {f"a{index}": "x" for index in range(11)}
    with pytest.raises(ValueError, match="11 message attributes, over the 10 that SNS delivers raw"):
        order_events.publish({"order_id": 1}, attributes=attributes)
