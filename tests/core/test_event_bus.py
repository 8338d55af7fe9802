"""put_event: what an action may put, and what PutEvents would refuse, checked before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from servey_cdk import EventRefused, put_event
from servey_cdk.appspec_builder import build_spec
from servey_cdk.discovery import Registry, discover
from servey_cdk.errors import ActionFailed
from servey_cdk.event_bus import MAX_ENTRY_BYTES, EventEntry, declared_puts, set_event_sender

APP = "tests.eventbridge.shop_app"


class RecordingSender:
    """Keeps each entry instead of sending it."""

    def __init__(self, registry: Registry) -> None:
        self.app_module = registry.module
        self.puts = declared_puts(build_spec(registry, check=False).to_dict()["actions"])
        self.entries: list[EventEntry] = []

    def send(self, entry: EventEntry) -> str:
        self.entries.append(entry)
        return f"event-{len(self.entries)}"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return discover(APP)


@pytest.fixture
def sender(registry: Registry) -> Iterator[RecordingSender]:
    recording = RecordingSender(registry)
    previous = set_event_sender(recording)
    yield recording
    set_event_sender(previous)


def _run(registry: Registry, action: str, **params: Any) -> Any:
    return registry.runner(action).invoke(params, authorization=None, source="test", request_id="r-1")


def _refusal(registry: Registry, action: str, **params: Any) -> str:
    with pytest.raises(ActionFailed) as raised:
        _run(registry, action, **params)
    assert isinstance(raised.value.__cause__, EventRefused)
    return str(raised.value.__cause__)


def test_GIVEN_an_action_declaring_a_bus_WHEN_it_puts_an_event_THEN_the_sender_gets_the_json_entry(
    registry: Registry, sender: RecordingSender
) -> None:
    assert _run(registry, "place_order", order_id=7, total=12.5) == "event-1"
    assert sender.entries == [
        EventEntry("shop.orders", "Order Placed", '{"order_id":7,"total":12.5}', "shop")
    ]


def test_GIVEN_no_source_or_bus_WHEN_put_THEN_the_apps_module_puts_on_the_default_bus(
    registry: Registry, sender: RecordingSender
) -> None:
    _run(registry, "announce", text="héllo")
    assert sender.entries == [EventEntry(APP, "Announcement", '{"text":"héllo"}', "default")]


def test_GIVEN_a_bus_the_action_does_not_declare_WHEN_put_THEN_it_is_refused_naming_action_and_bus(
    registry: Registry, sender: RecordingSender
) -> None:
    refusal = _refusal(registry, "sneak_order", order_id=7)
    assert refusal.startswith("action 'sneak_order' may not put events to bus 'shop'")
    assert sender.entries == []


def test_GIVEN_code_outside_any_action_WHEN_it_puts_THEN_it_is_refused(sender: RecordingSender) -> None:
    with pytest.raises(EventRefused, match="code outside any action may not put events to bus 'default'"):
        put_event("Announcement", {"text": "x"})


@dataclass
class Shipment:
    order_id: int
    carrier: str


@pytest.mark.parametrize(
    ("detail", "source", "problem"),
    [
        ({"blob": "x" * MAX_ENTRY_BYTES}, None, f"over EventBridge's {MAX_ENTRY_BYTES}-byte limit"),
        ([1, 2], None, "detail: must be a JSON object"),
        ({"a": 1}, "aws.s3", "source: 'aws.s3' starts with 'aws.', which only AWS may use"),
    ],
)
def test_GIVEN_an_entry_putevents_refuses_WHEN_put_THEN_it_is_refused_before_sending_naming_the_event(
    registry: Registry, sender: RecordingSender, detail: Any, source: str | None, problem: str
) -> None:
    with pytest.raises(ActionFailed) as raised:
        _run(registry, "put_raw", detail_type="Big", detail=detail, source=source)
    refusal = str(raised.value.__cause__)
    assert refusal.startswith("action 'put_raw': event 'Big' refused")
    assert problem in refusal
    assert sender.entries == []


def test_GIVEN_a_dataclass_or_model_detail_THEN_it_is_dumped_as_results_are() -> None:
    from pydantic import BaseModel

    from servey_cdk.event_bus import _json_text

    class Parcel(BaseModel):
        weight: float

    assert _json_text(Shipment(3, "post")) == '{"order_id":3,"carrier":"post"}'
    assert _json_text(Parcel(weight=1.5)) == '{"weight":1.5}'


def test_GIVEN_no_sender_WHEN_an_action_puts_THEN_it_fails_saying_none_is_configured(
    registry: Registry,
) -> None:
    with pytest.raises(ActionFailed) as raised:
        _run(registry, "place_order", order_id=1, total=1.0)
    assert "no event sender is configured" in str(raised.value.__cause__)
