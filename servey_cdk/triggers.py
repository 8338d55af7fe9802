"""Triggers: what makes an action run (a web request, a schedule, a page view, an object event).

Triggers only describe; AppSpec turns them into routes, rules and notifications, and
reports there any trigger AWS cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from servey_cdk.subscription import Subscription

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
S3EventKind = Literal["created", "removed"]


@dataclass(frozen=True)
class WebTrigger:
    """Serve the action over REST (API Gateway) and GraphQL (AppSync).

    GET actions become GraphQL queries, every other method a mutation. With no path
    the route is derived from the action's name (`say_hello` → `/actions/say-hello`);
    `{name}` segments bind path parameters to arguments of the same name.
    """

    method: HttpMethod = "GET"
    path: str | None = None


WEB_GET = WebTrigger("GET")
WEB_POST = WebTrigger("POST")
WEB_PUT = WebTrigger("PUT")
WEB_PATCH = WebTrigger("PATCH")
WEB_DELETE = WebTrigger("DELETE")


@dataclass(frozen=True)
class ScheduleTrigger:
    """Run the action on a schedule: a `rate` or a `cron` expression, not both.

    `rate` is a timedelta or text such as "5 minutes". `cron` is an EventBridge
    expression of six fields (minutes hours day-of-month month day-of-week year) or a
    classic five-field one. A `timezone` (IANA name) applies to cron schedules.
    """

    rate: timedelta | str | None = None
    cron: str | None = None
    timezone: str | None = None


def FixedRateTrigger(seconds: int | float) -> ScheduleTrigger:  # noqa: N802 - the seed's name
    """A schedule every `seconds`; AWS can only express whole minutes."""
    return ScheduleTrigger(rate=timedelta(seconds=seconds))


@dataclass(frozen=True)
class WebPageTrigger:
    """Render the action's result into a Jinja template and serve it as an HTML page.

    Defaults derive from the action name: `current_time_page` is served at
    `/current-time-page` with `templates/current_time_page.j2`.
    """

    path: str | None = None
    template: str | None = None
    method: HttpMethod = "GET"


@dataclass(frozen=True)
class S3Trigger:
    """Run the action for object events in a bucket, optionally filtered by key.

    `bucket` names a bucket of the app's own (created by the constructs) or an
    existing one, which the constructs then import by name.
    """

    bucket: str
    events: tuple[S3EventKind, ...] = ("created",)
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True)
class SubscriptionTrigger:
    """Run the action for every event published to a subscription, through a queue.

    The action takes the event as its one input parameter. `delay` holds each event
    back (SQS allows up to 15 minutes); `max_receive_count` is how often a failing
    event is retried before it goes to the dead-letter queue.
    """

    subscription: Subscription[Any]
    delay: timedelta = timedelta(0)
    max_receive_count: int = 5
    batch_size: int = 10


Trigger = WebTrigger | ScheduleTrigger | WebPageTrigger | S3Trigger | SubscriptionTrigger
