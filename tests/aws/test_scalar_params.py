"""The scalar fast path of ActionRunner.validate/dump_json gives exactly what pydantic gives."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk import action
from servey_cdk.action import get_action
from servey_cdk.errors import InvalidInput
from servey_cdk.invocation import ActionRunner


@action
def scalars(text: str, count: int, ratio: float, flag: bool, note: str | None = None, limit: int = 20) -> str:
    return text


RUNNER = ActionRunner(get_action(scalars))  # type: ignore[arg-type]

INPUTS = [
    {"text": "a", "count": 1, "ratio": 1.5, "flag": True},
    {"text": "a", "count": "042", "ratio": 2, "flag": "YES", "note": None, "limit": "7"},
    {"text": "a", "count": "-3", "ratio": "1e3", "flag": "off", "note": "n"},
    {"text": "a", "count": "٣", "ratio": 1.0, "flag": "t"},
    {"text": "a", "count": "1" * 30, "ratio": 1.0, "flag": 0},
    {"text": "a", "count": True, "ratio": False, "flag": "maybe"},
    {"text": 5, "count": 1, "ratio": 1.0, "flag": True},
    {"text": "a", "count": 1.0, "ratio": 2**60, "flag": True},
    {"text": "a", "count": " 7 ", "ratio": 1.0, "flag": True},
    {"count": 1, "ratio": 1.0, "flag": True},
    {"text": None, "count": 1, "ratio": 1.0, "flag": True, "limit": None},
]


def by_pydantic(raw: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return dict(RUNNER.params_model.model_validate(raw).__dict__)
    except ValidationError as error:
        return [(e["loc"], e["type"]) for e in error.errors()]


def by_runner(raw: dict[str, Any]) -> Any:
    try:
        return RUNNER.validate(raw)
    except InvalidInput as error:
        return [(tuple(field["loc"]), field["type"]) for field in error.detail]


@pytest.mark.parametrize("raw", INPUTS)
def test_GIVEN_scalar_inputs_WHEN_validated_THEN_the_result_or_errors_equal_pydantics(
    raw: dict[str, Any],
) -> None:
    expected, got = by_pydantic(raw), by_runner(raw)
    assert got == expected
    if isinstance(expected, dict):
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


@pytest.mark.parametrize("result", ["plain", 'quote " and \\ and \n and \x01 and é and \u2028', "", "\ud800"])
def test_GIVEN_a_text_result_WHEN_dumped_THEN_the_json_equals_pydantics(result: str) -> None:
    from pydantic import TypeAdapter

    try:
        expected: Any = TypeAdapter(str).dump_json(result)
    except Exception as error:  # a lone surrogate cannot be encoded
        expected = type(error)
    try:
        got: Any = RUNNER.dump_json(result)
    except Exception as error:
        got = type(error)
    assert got == expected
