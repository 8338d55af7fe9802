"""Matchers in an example's result: what each matches, and how a result holding them compares."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk import ANY, ANY_DATETIME, ANY_UUID, Matcher, ValueMatcher
from servey_cdk.matchers import from_markers, settle

A_UUID = "6f1d1e2a-7c1b-4d3c-9a55-0f7e3f1a2b3c"


@pytest.mark.parametrize(
    ("matcher", "value", "matches"),
    [
        (ANY_UUID, A_UUID, True),
        (ANY_UUID, "not-a-uuid", False),
        (ANY_UUID, 5, False),
        (ANY_DATETIME, "2026-12-02T15:00:00Z", True),
        (ANY_DATETIME, "yesterday", False),
        (ANY_DATETIME, None, False),
        (ANY, None, True),
    ],
)
def test_GIVEN_a_built_in_matcher_THEN_it_matches_exactly_its_json_values(
    matcher: Matcher, value: Any, matches: bool
) -> None:
    assert matcher.matches(value) is matches


def test_GIVEN_matchers_WHEN_settled_against_an_answer_THEN_only_matched_places_take_its_values() -> None:
    expected = {"id": ANY_UUID, "tags": [ANY, "b"], "at": ANY_DATETIME}

    good = {"id": A_UUID, "tags": ["a", "b"], "at": "2026-12-02T15:00:00Z"}
    bad = {"id": "x", "tags": ["a", "c"], "at": "2026-12-02T15:00:00Z"}

    assert settle(expected, good) == good
    assert settle(expected, bad) == {"id": ANY_UUID, "tags": ["a", "b"], "at": bad["at"]}
    assert settle(expected, bad) != bad


def test_GIVEN_a_json_result_with_markers_THEN_the_built_in_matchers_come_back_and_other_text_stays() -> None:
    marked = {"id": "<any UUID>", "items": ["<any datetime>", "<any value>", "<any even number>"]}

    assert from_markers(marked) == {"id": ANY_UUID, "items": [ANY_DATETIME, ANY, "<any even number>"]}


def test_GIVEN_a_value_matcher_of_ones_own_THEN_it_is_a_matcher_shown_by_its_marker() -> None:
    even = ValueMatcher("<any even number>", lambda value: value % 2 == 0)

    assert isinstance(even, Matcher)
    assert (even.matches(4), even.matches(3), repr(even)) == (True, False, "<any even number>")
