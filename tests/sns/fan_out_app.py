"""A small app for the fan-out tests: a subscription published once to its SNS topic, feeding a
filtered link and an unfiltered one; `seen` shows what each linked action got."""

from __future__ import annotations

from typing import Any

from servey_cdk import WEB_GET, WEB_POST, SubscriptionTrigger, action, subscription

order_events = subscription(dict[str, Any], "order_events", is_subscribable=False, fan_out="sns")
SEEN: dict[str, list[Any]] = {"bill": [], "audit": []}


@action(triggers=WEB_POST, publishes=order_events)
def place_order(order_id: int, kind: str) -> bool:
    order_events.publish({"order_id": order_id, "kind": kind}, attributes={"kind": kind, "total": 19.5})
    return True


@action(triggers=SubscriptionTrigger(order_events, filter_policy={"kind": ["placed"]}))
def bill(event: dict[str, Any]) -> None:
    SEEN["bill"].append(event)


@action(triggers=SubscriptionTrigger(order_events))
def audit(event: dict[str, Any]) -> None:
    SEEN["audit"].append(event)


@action(triggers=WEB_GET)
def seen() -> dict[str, list[Any]]:
    return SEEN
