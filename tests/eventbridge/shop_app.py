"""A small app for the EventBridge tests: triggers on a bus of its own, on the default bus (two
patterns of one action, so a rule's `$or`) and on an existing bus; actions that put events on the
buses they declare, and one that puts to a bus it does not; `heard` shows what ran."""

from __future__ import annotations

from typing import Any

from servey_cdk import WEB_GET, WEB_POST, EventTrigger, action, put_event

PARTNER_BUS_ARN = "arn:aws:events:us-east-1:123456789012:event-bus/partner"
HEARD: list[dict[str, Any]] = []


@action(triggers=EventTrigger(source="shop.orders", detail_type="Order Placed", bus="shop"))
def on_order(detail: dict[str, Any]) -> int:
    if detail.get("fail"):
        raise RuntimeError("cannot take this order")
    HEARD.append({"action": "on_order", "order_id": detail["order_id"]})
    return int(detail["order_id"])


@action(
    triggers=EventTrigger(
        source="shop.orders",
        detail_type="Order Placed",
        pattern={"detail": {"total": [{"numeric": [">=", 100]}]}},
        bus="shop",
    )
)
def on_big_order(detail: dict[str, Any]) -> None:
    HEARD.append({"action": "on_big_order", "order_id": detail["order_id"]})


@action(
    triggers=(
        EventTrigger(
            source="aws.codebuild",
            detail_type="CodeBuild Build State Change",
            pattern={"detail": {"build-status": [{"anything-but": "IN_PROGRESS"}]}},
        ),
        EventTrigger(
            source=("aws.codebuild",),
            pattern={
                "detail": {"project-name": [{"prefix": "release-"}], "current-phase": [{"exists": True}]}
            },
        ),
    )
)
def on_build(event: dict[str, Any]) -> str:
    HEARD.append({"action": "on_build", "id": event["id"], "status": event["detail"].get("build-status")})
    return str(event["detail"]["build-id"])


@action(triggers=EventTrigger(source="partner.billing", detail_type="Invoice Issued", bus=PARTNER_BUS_ARN))
def on_partner_invoice(detail: dict[str, Any]) -> None:
    HEARD.append({"action": "on_partner_invoice", "invoice": detail.get("invoice")})


@action(triggers=WEB_POST, puts_events="shop")
def place_order(order_id: int, total: float) -> str:
    """Puts an Order Placed event on the shop bus; returns its event id."""
    return put_event("Order Placed", {"order_id": order_id, "total": total}, source="shop.orders", bus="shop")


@action(triggers=WEB_POST, puts_events=("default", PARTNER_BUS_ARN))
def announce(text: str) -> str:
    """Puts an event of the app's own source on the default bus."""
    return put_event("Announcement", {"text": text})


@action(triggers=WEB_POST, puts_events="default")
def put_raw(detail_type: str, detail: Any, source: str | None = None) -> str:
    """Puts whatever it is given on the default bus, for the tests of what PutEvents refuses."""
    return put_event(detail_type, detail, source=source)


@action(triggers=WEB_POST, puts_events="default")
def sneak_order(order_id: int) -> str:
    """Declares the default bus only, so its put to the shop bus is refused."""
    return put_event("Order Placed", {"order_id": order_id, "total": 1.0}, source="shop.orders", bus="shop")


@action(triggers=WEB_GET)
def heard() -> list[dict[str, Any]]:
    return HEARD
