"""The event sources a function can receive: one plug-in each, registered in one table.

A plug-in, in the manner of Starlette's routes, says whether an event is its own
(`matches`) and handles it (`handle`). The spec says which sources feed which
function, so a function imports only the plug-ins of the sources it claims (a REST
function never loads the SQS adapter) and checks an event against those alone. An
event no claimed source recognises runs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from servey_cdk.wire import AUTHORIZER, WEBSOCKET

if TYPE_CHECKING:
    from servey_cdk.aws.runtime import Runtime, ShippedSpec


class EventSource(Protocol):
    def matches(self, event: Any) -> bool:
        """Whether `event` is this source's; cheap, and exact enough that no other source's event passes."""
        ...

    def handle(self, event: Any, request_id: str) -> Any: ...


Claim = Callable[["ShippedSpec", "str | None"], bool]


class Source(NamedTuple):  # made on every cold start: a named tuple's class is quick to make
    """`plugin` is `module:Class`, made with the function's `Runtime` when `claims` says the function
    (None: the whole app) receives the source."""

    name: str
    plugin: str
    claims: Claim

    def make(self, runtime: Runtime) -> EventSource:
        module, _, name = self.plugin.partition(":")
        plugin: EventSource = getattr(importlib.import_module(module), name)(runtime)
        return plugin


def _serves(kind: str) -> Claim:
    """Claimed by the functions that the spec's entries of `kind` name."""
    return lambda spec, function: any(function in (None, entry["function"]) for entry in spec[kind])


def _is(name: str, enabled: Callable[[ShippedSpec], bool]) -> Claim:
    """Claimed by one of the functions beside the actions', when the app has it."""
    return lambda spec, function: function in (None, name) and enabled(spec)


def _resolves(spec: ShippedSpec, function: str | None) -> bool:
    graphql = spec["graphql"]
    return graphql is not None and any(
        function in (None, entry["function"]) for entry in graphql["resolvers"]
    )


def _has_websocket(spec: ShippedSpec) -> bool:
    return any(item["is_subscribable"] for item in spec["subscriptions"])


SOURCES: tuple[Source, ...] = (
    Source("api-gateway", "servey_cdk.aws.rest:ApiGatewaySource", _serves("routes")),
    Source("appsync", "servey_cdk.aws.appsync:ResolverSource", _resolves),
    Source(
        "appsync-authorizer",
        "servey_cdk.aws.appsync:AuthorizerSource",
        _is(AUTHORIZER, lambda s: bool(s["graphql"])),
    ),
    Source("websocket", "servey_cdk.aws.websocket:WebSocketSource", _is(WEBSOCKET, _has_websocket)),
    Source("sqs", "servey_cdk.aws.sqs:SqsSource", _serves("queues")),
    Source("s3", "servey_cdk.aws.s3:S3Source", _serves("s3_triggers")),
    Source("sns", "servey_cdk.aws.sns:SnsSource", _serves("sns_triggers")),
    Source("schedule", "servey_cdk.aws.schedule:ScheduleSource", _serves("schedules")),
    Source("events", "servey_cdk.aws.events:EventBridgeSource", _serves("event_triggers")),
    Source("stream", "servey_cdk.aws.streams:StreamSource", _serves("stream_triggers")),
    # Last: its shape is the loosest. Every function that serves actions may be invoked directly.
    Source("invoke", "servey_cdk.aws.invoke:InvokeSource", _serves("actions")),
)


def claimed_sources(spec: ShippedSpec, function: str | None) -> tuple[Source, ...]:
    return tuple(source for source in SOURCES if source.claims(spec, function))


def records_of(event: Any, source: str, key: str = "eventSource") -> bool:
    """Whether an event is a batch of records from one AWS service (`aws:sqs`, `aws:s3`, …)."""
    if type(event) is not dict:
        return False
    records = event.get("Records")
    return (
        type(records) is list and bool(records) and type(records[0]) is dict and records[0].get(key) == source
    )
