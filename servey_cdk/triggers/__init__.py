"""Triggers: what makes an action run (a web request, a schedule, a page view, an event).

Triggers only describe; the AppSpec builder turns them into routes, rules and
notifications, and reports there any trigger AWS cannot express. Each trigger kind
is one module here, holding its metadata and its AppSpec entry; its Lambda adapter,
construct and emulator piece are named in the module's docstring.
"""

from __future__ import annotations

import functools
import importlib
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.triggers.events import EventTrigger
    from servey_cdk.triggers.queue import SubscriptionTrigger
    from servey_cdk.triggers.s3 import S3Trigger
    from servey_cdk.triggers.schedule import FixedRateTrigger, ScheduleTrigger
    from servey_cdk.triggers.sns import SnsTrigger
    from servey_cdk.triggers.stream import TableStreamTrigger
    from servey_cdk.triggers.web import (
        WEB_DELETE,
        WEB_GET,
        WEB_PATCH,
        WEB_POST,
        WEB_PUT,
        WebPageTrigger,
        WebTrigger,
    )

    Trigger: TypeAlias = (
        WebTrigger | WebPageTrigger | ScheduleTrigger | S3Trigger | SubscriptionTrigger | SnsTrigger
        | EventTrigger | TableStreamTrigger
    )  # fmt: skip

# Where an invocation came from, as middleware and logs see it: each trigger kind's source, then
# the entry points that call an action directly.
InvocationSource = Literal[
    "rest", "page", "graphql", "queue", "schedule", "s3", "sns", "events", "stream", "invoke", "cli", "test"
]

EntryBuilder = Callable[["tuple[Action, ...]", dict[str, str], list[str]], tuple[Any, ...]]
# The AppSpec field each event-source kind fills, and the function of its module here that fills
# it from the actions (the function of each action by name, and the list of problems to add to):
# the builder runs every one, so a new kind is registered here and not in the builder.
ENTRY_BUILDERS: tuple[tuple[str, str], ...] = (
    ("schedules", "schedule:schedule_specs"),
    ("s3_triggers", "s3:s3_trigger_specs"),
    ("sns_triggers", "sns:sns_trigger_specs"),
    ("event_triggers", "events:event_trigger_specs"),
    ("stream_triggers", "stream:stream_trigger_specs"),
)

# The module of each kind's names: a kind is imported when first asked for, so an app that uses
# only web triggers imports no other kind on a Lambda cold start.
_HOME_OF = {
    "EventTrigger": "events",
    "SubscriptionTrigger": "queue",
    "S3Trigger": "s3",
    "FixedRateTrigger": "schedule",
    "ScheduleTrigger": "schedule",
    "SnsTrigger": "sns",
    "TableStreamTrigger": "stream",
    **dict.fromkeys(("WEB_DELETE", "WEB_GET", "WEB_PATCH", "WEB_POST", "WEB_PUT"), "web"),
    "WebPageTrigger": "web",
    "WebTrigger": "web",
}


def entry_builder(registered: str) -> EntryBuilder:
    """The function an `ENTRY_BUILDERS` row names."""
    module, _, function = registered.partition(":")
    builder: EntryBuilder = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return builder


def __getattr__(name: str) -> Any:
    if name == "Trigger":  # the union of every kind, for code that checks a trigger at run time
        kinds = [kind for kind in map(__getattr__, _HOME_OF) if isinstance(kind, type)]
        union = functools.reduce(operator.or_, kinds)
        globals()[name] = union
        return union
    home = _HOME_OF.get(name)
    if home is None:  # a submodule (`from servey_cdk.triggers import web`) is the import system's
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
