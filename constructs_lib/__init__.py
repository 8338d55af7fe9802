"""CDK constructs that render a servey-cdk app's AppSpec into AWS resources.

The constructs are imported on first use (`from constructs_lib import ServeyApp`), with aws_cdk:
importing this package alone starts no jsii kernel and changes no environment variable, so that
an entry point may still choose the Node that jsii runs (`constructs_lib.node`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs_lib.app import ServeyApp, ServeyParts, ServeyStack
    from constructs_lib.auth import ServeyAuth
    from constructs_lib.event_rules import ServeyEventRules
    from constructs_lib.functions import ServeyFunctions
    from constructs_lib.graphql import ServeyGraphqlApi
    from constructs_lib.http_api import ServeyHttpApi
    from constructs_lib.object_events import ServeyObjectEvents
    from constructs_lib.props import PropsError
    from constructs_lib.queues import ServeyQueues
    from constructs_lib.rest import ServeyRestApi
    from constructs_lib.schedules import ServeySchedules
    from constructs_lib.site import ServeySite
    from constructs_lib.topics import ServeyTopics
    from constructs_lib.websocket import ServeyWebSocketApi

MODULES = {
    "PropsError": "props",
    "ServeyApp": "app",
    "ServeyAuth": "auth",
    "ServeyEventRules": "event_rules",
    "ServeyFunctions": "functions",
    "ServeyGraphqlApi": "graphql",
    "ServeyHttpApi": "http_api",
    "ServeyObjectEvents": "object_events",
    "ServeyParts": "app",
    "ServeyQueues": "queues",
    "ServeyRestApi": "rest",
    "ServeySchedules": "schedules",
    "ServeySite": "site",
    "ServeyStack": "app",
    "ServeyTopics": "topics",
    "ServeyWebSocketApi": "websocket",
}
__all__ = [
    "PropsError",
    "ServeyApp",
    "ServeyAuth",
    "ServeyEventRules",
    "ServeyFunctions",
    "ServeyGraphqlApi",
    "ServeyHttpApi",
    "ServeyObjectEvents",
    "ServeyParts",
    "ServeyQueues",
    "ServeyRestApi",
    "ServeySchedules",
    "ServeySite",
    "ServeyStack",
    "ServeyTopics",
    "ServeyWebSocketApi",
]


def __getattr__(name: str) -> Any:
    if name not in MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"constructs_lib.{MODULES[name]}"), name)
    globals()[name] = value
    return value
