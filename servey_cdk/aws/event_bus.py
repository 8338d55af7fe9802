"""Putting events on Lambda: one PutEvents call per `put_event`, on the bus the entry names.

A bus of the app's own is found by its deployed name, which the constructs give each function
that declares it as `SERVEY_EVENT_BUS_<NAME>`; an ARN is used as it is; "default" is the
account's default bus. An entry PutEvents takes but fails (`FailedEntryCount`) is an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from servey_cdk.aws.runtime import ShippedSpec
from servey_cdk.event_bus import EventEntry, declared_puts
from servey_cdk.triggers.events import DEFAULT_BUS
from servey_cdk.wire import EVENT_BUS_PREFIX, environment_name


class EventPutFailed(RuntimeError):
    """EventBridge took the request but not the entry; its error code and message are in the text."""


class AwsEventSender:
    def __init__(
        self,
        app_module: str,
        puts: Mapping[str, tuple[str, ...]],
        environment: Mapping[str, str],
        events: Any = None,
    ) -> None:
        self.app_module = app_module
        self.puts = puts
        self.environment = environment
        if events is not None:
            self.events = events

    @classmethod
    def from_environment(cls, spec: ShippedSpec) -> AwsEventSender:
        return cls(spec["app_module"], declared_puts(spec["actions"]), os.environ)

    @cached_property
    def events(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # imported on the first put, not at start-up

        return boto3.client("events")

    def bus_name(self, bus: str) -> str:
        """What PutEvents takes as `EventBusName` for an entry's bus."""
        if bus == DEFAULT_BUS or bus.startswith("arn:"):
            return bus
        variable = environment_name(EVENT_BUS_PREFIX, bus)
        name = self.environment.get(variable)
        if not name:
            raise RuntimeError(f"cannot put events to bus {bus!r}: {variable} is not set in this function")
        return name

    def send(self, entry: EventEntry) -> str:
        answer = self.events.put_events(
            Entries=[
                {
                    "Source": entry.source,
                    "DetailType": entry.detail_type,
                    "Detail": entry.detail,
                    "EventBusName": self.bus_name(entry.bus),
                }
            ]
        )
        (result,) = answer["Entries"]
        if answer.get("FailedEntryCount") or "EventId" not in result:
            raise EventPutFailed(
                f"EventBridge refused event {entry.detail_type!r} from {entry.source!r} on bus "
                f"{entry.bus!r}: {result.get('ErrorCode')}: {result.get('ErrorMessage')}"
            )
        return str(result["EventId"])
