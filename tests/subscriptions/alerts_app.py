"""A small app for the subscription tests: open, protected-and-filtered and queue-only subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servey_cdk import WEB_GET, WEB_POST, ScopeAccessControl, SubscriptionTrigger, action, subscription
from servey_cdk.authorization import Authorization


@dataclass
class TeamAlert:
    team: str
    text: str


def for_own_team(event: Any, authorization: Authorization | None) -> bool:
    """Each subscriber hears only its own team's alerts; its token's subject is its team."""
    return authorization is not None and event["team"] == authorization.subject_id


news = subscription(str, "news")
team_alerts = subscription(
    TeamAlert, "team_alerts", access_control=ScopeAccessControl("alerts"), event_filter=for_own_team
)
audit = subscription(str, "audit", is_subscribable=False)
AUDITED: list[str] = []


@action(triggers=WEB_GET)
def audited() -> list[str]:
    return AUDITED


@action(triggers=WEB_POST, publishes=(news, audit))
def announce(text: str) -> bool:
    news.publish(text)
    audit.publish(f"announced {text}")
    return True


@action(triggers=WEB_POST)
def gossip(text: str) -> bool:
    """Publishes without declaring it: refused, as on AWS its function has no queue URLs or grants."""
    _spread(text)
    return True


def _spread(text: str) -> None:
    news.publish(text)


@action(triggers=SubscriptionTrigger(news, max_receive_count=2))
def reject_news(text: str) -> None:
    """Always fails: its events are retried, then dead-lettered."""
    raise RuntimeError(f"cannot take {text!r}")


@action(triggers=SubscriptionTrigger(audit))
def record_audit(entry: str) -> None:
    AUDITED.append(entry)
