"""A small app for the SNS tests: an SnsTrigger on a topic of its own, with a filter policy, and one
on an existing topic; `heard` shows what they were given."""

from __future__ import annotations

from typing import Any

from servey_cdk import WEB_GET, SnsTrigger, action

PARTNER_TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:partner-events"
HEARD: list[dict[str, Any]] = []


@action(triggers=SnsTrigger("orders", filter_policy={"kind": ["placed", "cancelled"]}))
def on_order(message: Any, subject: str | None = None, attributes: dict[str, Any] | None = None) -> str:
    if message == "fail":
        raise RuntimeError("cannot take this order")
    HEARD.append({"action": "on_order", "message": message, "subject": subject, "attributes": attributes})
    return "ok"


@action(triggers=SnsTrigger(topic_arn=PARTNER_TOPIC_ARN))
def on_partner_event(message: Any) -> None:
    HEARD.append({"action": "on_partner_event", "message": message})


@action(triggers=WEB_GET)
def heard() -> list[dict[str, Any]]:
    return HEARD
