"""An in-process EventBridge: `put_event` from an action, or `POST /_servey/events` by hand.

The body of the POST is one PutEvents entry, `{"source", "detail-type", "detail", "bus"}`
(`bus` optional: the default bus), answered as PutEvents answers; a source of AWS's own
(`aws.codebuild`) is taken, to stand for the events AWS services send, which `put_event`
refuses as PutEvents does. Each event goes, as the
envelope EventBridge sends a rule's Lambda target, to every rule (`event_rules`, one per
function and bus, as the constructs make them) on its bus whose pattern it matches: once per
matching rule, asynchronously, retried and kept when it fails for good (`GET /_servey/events`).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_runtime.async_invocations import AsyncInvocations
from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import ACCOUNT_ID, REGION
from local_runtime.types import Event
from servey_cdk.appspec import AppSpec
from servey_cdk.event_bus import EventEntry, declared_puts
from servey_cdk.event_patterns import matches
from servey_cdk.triggers.events import DEFAULT_BUS, app_buses, event_rules

ENTRY_FIELDS = ("source", "detail-type", "detail", "bus")


class BadEntry(ValueError):
    """An entry PutEvents would refuse; the message names the field."""


class LocalEvents:
    """The app's buses and rules; an `EventSender` for the actions that run in this process."""

    def __init__(
        self, spec: AppSpec, invoker: FunctionInvoker, invocations: AsyncInvocations | None = None
    ) -> None:
        self.app_module = spec.app_module
        self.puts = declared_puts(spec.to_dict()["actions"])
        self.rules = event_rules(spec.event_triggers)
        imported = [t.bus_arn for t in spec.event_triggers if t.bus_arn]
        imported += [bus for buses in self.puts.values() for bus in buses if bus.startswith("arn:")]
        own = app_buses(spec.event_triggers, list(self.puts.values()))
        self.buses = list(dict.fromkeys([DEFAULT_BUS, *own, *imported]))
        self.invocations = invocations or AsyncInvocations(invoker, "events")
        self.sent = 0

    def send(self, entry: EventEntry) -> str:
        """Start delivering the event to each rule on its bus that it matches; from any thread."""
        event = envelope(entry, str(uuid.uuid4()))
        for rule in self.rules:
            on_bus = (rule.bus or rule.bus_arn or DEFAULT_BUS) == entry.bus
            if on_bus and matches(rule.pattern, event):
                self.invocations.start(f"event rule {rule.name}", rule.function, event["id"], event)
        self.sent += 1
        return str(event["id"])

    async def endpoint(self, request: Request) -> Response:
        try:
            entry = self._entry(await request.body())
        except BadEntry as error:
            return JSONResponse({"error": "invalid_parameter", "detail": str(error)}, 400)
        return JSONResponse({"Entries": [{"EventId": self.send(entry)}], "FailedEntryCount": 0})

    def to_dict(self) -> dict[str, Any]:
        """The buses, the rules, how many events were put, and the deliveries that failed for good."""
        return {
            "buses": self.buses,
            "rules": [{"name": r.name, "function": r.function, "pattern": r.pattern} for r in self.rules],
            "sent": self.sent,
            "failures": [vars(failure) for failure in self.invocations.failures],
        }

    def _entry(self, body: bytes) -> EventEntry:
        request = _json_object(body, "the body")
        unknown = sorted(set(request) - set(ENTRY_FIELDS))
        if unknown:
            raise BadEntry(f"{', '.join(unknown)}: not a field of an entry ({', '.join(ENTRY_FIELDS)})")
        for field in ("source", "detail-type", "detail"):
            if field not in request:
                raise BadEntry(f"{field}: required")
        texts = {
            field: request[field]
            for field in ("source", "detail-type")
            if not isinstance(request[field], str)
        }
        if texts:
            raise BadEntry(f"{', '.join(texts)}: must be a string")
        bus = request.get("bus") or DEFAULT_BUS
        if bus not in self.buses:
            raise BadEntry(f"bus: no bus {bus!r} in the app (known: {', '.join(self.buses)})")
        detail = request["detail"]
        if isinstance(detail, str):  # PutEvents' own form: the detail's JSON text
            detail = _json_object(detail, "detail:")
        elif not isinstance(detail, dict):
            raise BadEntry("detail: must be a JSON object")
        text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
        entry = EventEntry(request["source"], request["detail-type"], text, bus)
        problems = entry.problems()
        if problems:
            raise BadEntry("; ".join(problems))
        return entry


def _json_object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise BadEntry(f"{what} must be a JSON object")
    return value


def envelope(entry: EventEntry, event_id: str) -> Event:
    """The event a rule's Lambda target gets, as `tests/events/eventbridge/*.json` records it."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": entry.detail_type,
        "source": entry.source,
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": json.loads(entry.detail),
    }
