"""Triggers: what makes an action run (a web request, a schedule, a page view, an event).

Triggers only describe; the AppSpec builder turns them into routes, rules and
notifications, and reports there any trigger AWS cannot express. Each trigger kind
is one module here, holding its metadata and its AppSpec entry; its Lambda adapter,
construct and emulator piece are named in the module's docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from servey_cdk.triggers.events import EventTrigger, event_trigger_specs
from servey_cdk.triggers.queue import SubscriptionTrigger
from servey_cdk.triggers.s3 import S3Trigger, s3_trigger_specs
from servey_cdk.triggers.schedule import FixedRateTrigger, ScheduleTrigger, schedule_specs
from servey_cdk.triggers.sns import SnsTrigger, sns_trigger_specs
from servey_cdk.triggers.stream import TableStreamTrigger, stream_trigger_specs
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
    | EventTrigger | TableStreamTrigger
)  # fmt: skip

if TYPE_CHECKING:
    from servey_cdk.action import Action

# Where an invocation came from, as middleware and logs see it: each trigger kind's source, then
# the entry points that call an action directly.
InvocationSource = Literal[
    "rest", "page", "graphql", "queue", "schedule", "s3", "sns", "events", "stream", "invoke", "cli", "test"
]

EntryBuilder = Callable[["tuple[Action, ...]", dict[str, str], list[str]], tuple[Any, ...]]
# The AppSpec field each event-source kind fills, and what fills it from the actions (the function
# of each action by name, and the list of problems to add to): the builder runs every one, so a new
# kind is registered here and not in the builder.
ENTRY_BUILDERS: tuple[tuple[str, EntryBuilder], ...] = (
    ("schedules", schedule_specs),
    ("s3_triggers", s3_trigger_specs),
    ("sns_triggers", sns_trigger_specs),
    ("event_triggers", event_trigger_specs),
    ("stream_triggers", stream_trigger_specs),
)

__all__ = [
    "WEB_DELETE",
    "WEB_GET",
    "WEB_PATCH",
    "WEB_POST",
    "WEB_PUT",
    "EventTrigger",
    "FixedRateTrigger",
    "InvocationSource",
    "S3Trigger",
    "ScheduleTrigger",
    "SnsTrigger",
    "SubscriptionTrigger",
    "TableStreamTrigger",
    "Trigger",
    "WebPageTrigger",
    "WebTrigger",
]
