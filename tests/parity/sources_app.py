"""An app with an action for each event source the handler claims beside the web: a queue link,
a schedule, an SNS topic, an EventBridge pattern and an S3 bucket. Each records what it was
given in `HEARD`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from servey_cdk import (
    WEB_GET,
    WEB_POST,
    EventTrigger,
    FixedRateTrigger,
    S3Trigger,
    SnsTrigger,
    SubscriptionTrigger,
    action,
    subscription,
)

HEARD: list[tuple[str, Any]] = []


@dataclass
class Order:
    order_id: int
    total: Decimal
    placed_at: datetime
    note: str | None = None


orders = subscription(Order, "orders", is_subscribable=False)


@action(triggers=WEB_POST, publishes=orders)
def place(order: Order) -> bool:
    orders.publish(order)
    return True


@action(triggers=SubscriptionTrigger(orders))
def on_queued(order: Order) -> None:
    HEARD.append(("on_queued", order))


@action(triggers=FixedRateTrigger(3600))
def sweep() -> str:
    HEARD.append(("sweep", None))
    return "swept"


@action(triggers=SnsTrigger("alerts", filter_policy={"level": ["high", "critical"]}))
def on_alert(message: Any, subject: str | None = None, attributes: dict[str, Any] | None = None) -> None:
    HEARD.append(("on_alert", {"message": message, "subject": subject, "attributes": attributes}))


@action(
    triggers=EventTrigger(
        source="shop.orders",
        detail_type="Order Placed",
        pattern={"detail": {"total": [{"numeric": [">=", 100]}]}},
    )
)
def on_big_order(detail: dict[str, Any]) -> None:
    HEARD.append(("on_big_order", detail))


@action(triggers=S3Trigger("uploads", events=("created", "removed"), prefix="incoming/", suffix=".csv"))
def on_upload(bucket: str, key: str, event: str, size: int | None = None) -> None:
    HEARD.append(("on_upload", {"bucket": bucket, "key": key, "event": event, "size": size}))


@action(triggers=WEB_GET)
def heard_count() -> int:
    return len(HEARD)
