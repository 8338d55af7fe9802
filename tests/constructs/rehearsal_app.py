"""A small app for the rehearsal of SNS and EventBridge: a topic's subscriber, a fan-out subscription
and a rule's target, all fed by one publisher that also puts an event; its example's result holds
a matcher, and it is called with the example's own scopes. What the subscribers get, they print
(to their function's log)."""

from __future__ import annotations

from typing import Any

from servey_cdk import (
    ANY_UUID,
    WEB_GET,
    WEB_POST,
    EventTrigger,
    Example,
    ScopeAccessControl,
    SnsTrigger,
    SubscriptionTrigger,
    action,
    put_event,
    subscription,
)

order_events = subscription(dict[str, Any], "order_events", is_subscribable=False, fan_out="sns")


@action(
    triggers=WEB_POST,
    publishes=order_events,
    puts_events="shop",
    access_control=ScopeAccessControl("orders:write"),
    examples=Example(
        "placed", {"order_id": 7}, {"order_id": 7, "event_id": ANY_UUID}, scopes=("orders:write",)
    ),
)
def place_order(order_id: int) -> dict[str, Any]:
    """Fans the order out to its queues and puts it on the shop bus."""
    order_events.publish({"order_id": order_id}, attributes={"kind": "placed"})
    event_id = put_event("Order Placed", {"order_id": order_id}, source="shop.orders", bus="shop")
    return {"order_id": order_id, "event_id": event_id}


@action(triggers=SubscriptionTrigger(order_events, filter_policy={"kind": ["placed"]}))
def bill(event: dict[str, Any]) -> None:
    if "order_id" not in event:
        raise ValueError(f"not an order: {event}")
    print(f"billed order {event['order_id']}")


@action(triggers=SnsTrigger("alerts", filter_policy={"level": ["high"]}))
def on_alert(message: Any) -> str:
    print(f"alerted: {message}")
    return str(message)


@action(triggers=EventTrigger(source="shop.orders", detail_type="Order Placed", bus="shop"))
def on_order_placed(detail: dict[str, Any]) -> int:
    print(f"heard order {detail.get('order_id')} placed")
    return int(detail.get("order_id", 0))


@action(triggers=EventTrigger(source="shop.orders", pattern={"detail": {"total": [{"numeric": [">", 100]}]}}))
def on_big_order(detail: dict[str, Any]) -> None:
    """Its pattern holds no literal total: the rehearsal cannot make an event for it."""


@action(triggers=WEB_GET, examples=Example("ready", {}, "ready"))
def status() -> str:
    return "ready"
