"""Triggers: what makes an action run (a web request, a schedule, a page view, an event).

Triggers only describe; the AppSpec builder turns them into routes, rules and
notifications, and reports there any trigger AWS cannot express. Each trigger kind
is one module here, holding its metadata and its AppSpec entry; its Lambda adapter,
construct and emulator piece are named in the module's docstring.
"""

from servey_cdk.triggers.events import EventTrigger
from servey_cdk.triggers.queue import SubscriptionTrigger
from servey_cdk.triggers.s3 import S3Trigger
from servey_cdk.triggers.schedule import FixedRateTrigger, ScheduleTrigger
from servey_cdk.triggers.sns import SnsTrigger
from servey_cdk.triggers.web import (
    WEB_DELETE,
    WEB_GET,
    WEB_PATCH,
    WEB_POST,
    WEB_PUT,
    WebPageTrigger,
    WebTrigger,
)

Trigger = (
    WebTrigger | WebPageTrigger | ScheduleTrigger | S3Trigger | SubscriptionTrigger | SnsTrigger
    | EventTrigger
)  # fmt: skip

__all__ = [
    "WEB_DELETE",
    "WEB_GET",
    "WEB_PATCH",
    "WEB_POST",
    "WEB_PUT",
    "EventTrigger",
    "FixedRateTrigger",
    "S3Trigger",
    "ScheduleTrigger",
    "SnsTrigger",
    "SubscriptionTrigger",
    "Trigger",
    "WebPageTrigger",
    "WebTrigger",
]
