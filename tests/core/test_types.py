"""Parameters and results of every type pydantic supports: validated from JSON, dumped back to JSON."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Optional
from uuid import UUID

import pydantic
import pytest
from typing_extensions import TypedDict

from servey_cdk import action
from servey_cdk.discovery import Registry
from tests.conftest import registry_of


class Color(enum.Enum):
    red = "red"
    green = "green"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: int


class Tag(pydantic.BaseModel):
    label: str
    weight: float = 1.0


class Shape(pydantic.BaseModel):
    name: str
    color: Color
    points: list[Point]
    tags: dict[str, list[Tag]]
    made: Optional[date] = None  # noqa: UP045 - Optional as users write it


def echo_registry(annotation: Any) -> Registry:
    """A registry whose one action `echo` takes and returns a value of `annotation`."""

    def echo(value: Any) -> Any:
        return value

    echo.__annotations__ = {"value": annotation, "return": annotation}
    return registry_of(action(echo))


UUID_TEXT = "12345678-1234-5678-1234-567812345678"
CASES: list[tuple[str, Any, Any, Any, Any]] = [
    # id, annotation, JSON-shaped input, the Python value the action receives, the JSON result
    ("str", str, "hi", "hi", "hi"),
    ("int", int, 7, 7, 7),
    ("int_from_text", int, "7", 7, 7),
    ("float", float, 1.5, 1.5, 1.5),
    ("bool", bool, True, True, True),
    ("bool_from_text", bool, "false", False, False),
    (
        "datetime",
        datetime,
        "2026-01-01T12:30:00Z",
        datetime(2026, 1, 1, 12, 30, tzinfo=UTC),
        "2026-01-01T12:30:00Z",
    ),
    ("date", date, "2026-01-02", date(2026, 1, 2), "2026-01-02"),
    ("uuid", UUID, UUID_TEXT, UUID(UUID_TEXT), UUID_TEXT),
    ("decimal", Decimal, "4.20", Decimal("4.20"), "4.20"),
    ("enum", Color, "red", Color.red, "red"),
    ("optional_none", Optional[int], None, None, None),  # noqa: UP045
    ("optional_value", Optional[int], 3, 3, 3),  # noqa: UP045
    ("union_none", int | None, None, None, None),
    ("list", list[int], [1, 2], [1, 2], [1, 2]),
    ("set", set[int], [1, 2, 2], {1, 2}, [1, 2]),
    ("tuple", tuple[int, str], [1, "a"], (1, "a"), [1, "a"]),
    ("variadic_tuple", tuple[int, ...], [1, 2, 3], (1, 2, 3), [1, 2, 3]),
    ("dict", dict[str, int], {"a": 1}, {"a": 1}, {"a": 1}),
    ("dataclass", Point, {"x": 1, "y": 2}, Point(1, 2), {"x": 1, "y": 2}),
    (
        "typeddict",
        Movie,
        {"title": "Alien", "year": 1979},
        {"title": "Alien", "year": 1979},
        {"title": "Alien", "year": 1979},
    ),
    ("model", Tag, {"label": "a"}, Tag(label="a", weight=1.0), {"label": "a", "weight": 1.0}),
    (
        "nested",
        Shape,
        {
            "name": "s",
            "color": "green",
            "points": [{"x": 0, "y": 1}],
            "tags": {"k": [{"label": "t", "weight": 2}]},
            "made": "2025-12-31",
        },
        Shape(
            name="s",
            color=Color.green,
            points=[Point(0, 1)],
            tags={"k": [Tag(label="t", weight=2.0)]},
            made=date(2025, 12, 31),
        ),
        {
            "name": "s",
            "color": "green",
            "points": [{"x": 0, "y": 1}],
            "tags": {"k": [{"label": "t", "weight": 2.0}]},
            "made": "2025-12-31",
        },
    ),
    (
        "list_of_optional_dataclasses",
        list[Optional[Point]],  # noqa: UP045
        [{"x": 1, "y": 1}, None],
        [Point(1, 1), None],
        [{"x": 1, "y": 1}, None],
    ),
]


@pytest.mark.parametrize(
    ("annotation", "raw", "value", "dumped"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_GIVEN_a_typed_parameter_WHEN_invoked_with_json_input_THEN_the_action_receives_the_python_value(
    annotation: Any, raw: Any, value: Any, dumped: Any
) -> None:
    runner = echo_registry(annotation).runner("echo")

    result = runner.invoke({"value": raw}, authorization=None, source="test", request_id="r")

    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    ("annotation", "raw", "value", "dumped"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_GIVEN_a_typed_result_WHEN_dumped_THEN_it_is_json_shaped(
    annotation: Any, raw: Any, value: Any, dumped: Any
) -> None:
    runner = echo_registry(annotation).runner("echo")

    assert runner.dump(value) == dumped
    assert json.loads(runner.dump_json(value)) == dumped


def test_GIVEN_a_parameter_with_a_default_WHEN_omitted_THEN_the_default_is_passed() -> None:
    @action
    def page(limit: int = 20, tag: str | None = None) -> list[Any]:
        return [limit, tag]

    runner = registry_of(page).runner("page")

    assert runner.invoke({}, authorization=None, source="test", request_id="r") == [20, None]


def test_GIVEN_a_set_result_WHEN_dumped_as_json_THEN_it_is_a_list() -> None:
    @action
    def make() -> set[str]:
        return {"only"}

    runner = registry_of(make).runner("make")

    assert runner.dump_json(make()) == b'["only"]'
