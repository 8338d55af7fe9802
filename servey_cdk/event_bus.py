"""Putting events on EventBridge buses from an action: `put_event`, over PutEvents.

An action declares the buses it puts to (`@action(puts_events=("shop",))`; `"default"` is
the account's default bus, else a bus of the app's own or an existing bus's ARN), and may
put to those only: the constructs grant `events:PutEvents` on exactly them. `put_event`
refuses, before anything is sent and in the same words locally and on AWS, what the app does
not declare and what PutEvents would refuse (an entry over 256 KB, a detail that is not a
JSON object, an `aws.` source), then hands the entry to the sender of the runtime it runs in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from servey_cdk.invocation import running_action
from servey_cdk.triggers.events import DEFAULT_BUS

if TYPE_CHECKING:
    from servey_cdk.discovery import Registry

MAX_ENTRY_BYTES = 262_144  # PutEvents' limit of one entry, reckoned as `EventEntry.size` does
RESERVED_SOURCE_PREFIX = "aws."


class EventRefused(ValueError):
    """An event put_event does not send: undeclared bus, or an entry PutEvents would refuse."""


@dataclass(frozen=True)
class EventEntry:
    """One PutEvents entry. `detail` is its JSON text; `bus` is "default", a bus of the app's
    own (by name) or an existing bus's ARN."""

    source: str
    detail_type: str
    detail: str
    bus: str = DEFAULT_BUS

    @property
    def size(self) -> int:
        """EventBridge's reckoning: the UTF-8 bytes of the source, the detail type and the detail."""
        return sum(len(part.encode()) for part in (self.source, self.detail_type, self.detail))

    def problems(self) -> list[str]:
        """What PutEvents would refuse of this entry, each naming its field."""
        found = [
            f"{name}: must not be empty"
            for name, v in (("source", self.source), ("detail-type", self.detail_type))
            if not v
        ]
        if not self.detail.startswith("{"):
            found.append("detail: must be a JSON object")
        if self.size > MAX_ENTRY_BYTES:
            found.append(f"the entry is {self.size} bytes, over EventBridge's {MAX_ENTRY_BYTES}-byte limit")
        return found


class EventSender(Protocol):
    """What a runtime installs: the app's module (the default source), what each action declares
    it puts to, and how an entry is sent (returning its event id)."""

    @property
    def app_module(self) -> str: ...

    @property
    def puts(self) -> Mapping[str, tuple[str, ...]]: ...

    def send(self, entry: EventEntry) -> str: ...


class NoEventSender:
    """Used until a runtime installs its sender; refuses rather than drop events."""

    app_module = ""
    puts: Mapping[str, tuple[str, ...]] = {}

    def send(self, entry: EventEntry) -> str:
        raise RuntimeError(
            f"cannot put event {entry.detail_type!r}: no event sender is configured (run it under "
            "servey-local, on Lambda or with `servey run`, or inside `with recording_event_sender(registry)`)"
        )


@dataclass
class RecordingEventSender:
    """An in-process sender that keeps each entry instead of sending it: see `recording_event_sender`."""

    app_module: str
    puts: Mapping[str, tuple[str, ...]]
    entries: list[EventEntry] = field(default_factory=list)

    def send(self, entry: EventEntry) -> str:
        self.entries.append(entry)
        return f"recorded-{len(self.entries)}"


@contextmanager
def recording_event_sender(registry: Registry) -> Iterator[RecordingEventSender]:
    """A `RecordingEventSender` for the app's actions, installed for the block: how `servey run`
    and the example tests run a putting action, with the same refusals, without sending anything."""
    recorder = RecordingEventSender(registry.module, {a.name: a.puts_events for a in registry.actions})
    previous = set_event_sender(recorder)
    try:
        yield recorder
    finally:
        set_event_sender(previous)


_sender: list[EventSender] = [NoEventSender()]


def set_event_sender(sender: EventSender) -> EventSender:
    """Install the runtime's sender; returns the previous one."""
    previous = _sender[0]
    _sender[0] = sender
    return previous


def declared_puts(actions: Any) -> dict[str, tuple[str, ...]]:
    """The buses each action puts to, from the AppSpec's actions as JSON values."""
    return {item["name"]: tuple(item.get("puts_events", ())) for item in actions}


def put_event(detail_type: str, detail: Any, *, source: str | None = None, bus: str | None = None) -> str:
    """Put one event on `bus` (the default bus when None); returns its event id.

    `detail` is a JSON object: a dict, a pydantic model or a dataclass, dumped as results are.
    `source` defaults to the app's module.
    """
    sender = _sender[0]
    if isinstance(sender, NoEventSender):
        return sender.send(EventEntry("", detail_type, ""))
    action = running_action()
    bus = bus or DEFAULT_BUS
    where = f"action {action!r}" if action else "code outside any action"
    if action is None or bus not in sender.puts.get(action, ()):
        raise EventRefused(
            f"{where} may not put events to bus {bus!r}: it does not declare it (@action(puts_events=...))"
        )
    entry = EventEntry(source or sender.app_module, detail_type, _json_text(detail), bus)
    problems = entry.problems()
    if entry.source.startswith(RESERVED_SOURCE_PREFIX):
        problems.append(
            f"source: {entry.source!r} starts with {RESERVED_SOURCE_PREFIX!r}, which only AWS may use"
        )
    if problems:
        raise EventRefused(f"{where}: event {detail_type!r} refused: {'; '.join(problems)}")
    return sender.send(entry)


def _json_text(detail: Any) -> str:
    from pydantic_core import to_jsonable_python

    return json.dumps(to_jsonable_python(detail), ensure_ascii=False, separators=(",", ":"))
