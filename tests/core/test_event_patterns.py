"""EventBridge's event-pattern semantics, as its user guide documents them, and its refusals."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk.event_patterns import matches, pattern_problems
from tests.conftest import load_event

ORDER = load_event("eventbridge/order_placed")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["shop.orders"]}, True),
        ({"source": ["shop.invoices"]}, False),
        ({"source": ["shop.orders"], "detail-type": ["Order Shipped"]}, False),  # every field must match
        ({"detail-type": ["Order Shipped", "Order Placed"]}, True),  # any value of a leaf may
        ({"detail": {"order_id": [1042]}}, True),
        ({"detail": {"order_id": ["1042"]}}, False),  # a string never equals a number
        ({"detail": {"total": [19.5]}}, True),
        ({"detail": {"customer": {"country": ["NL"]}}}, True),
        ({"detail": {"customer": {"country": ["BE"]}}}, False),
        ({"source": [{"prefix": "shop."}]}, True),
        ({"source": [{"prefix": "Shop."}]}, False),
        ({"source": [{"prefix": {"equals-ignore-case": "SHOP."}}]}, True),
        ({"source": [{"suffix": ".orders"}]}, True),
        ({"detail": {"channel": [{"anything-but": "web"}]}}, False),
        ({"detail": {"channel": [{"anything-but": ["mobile", "store"]}]}}, True),
        ({"detail": {"channel": [{"anything-but": {"prefix": "w"}}]}}, False),
        ({"detail": {"total": [{"numeric": [">", 10, "<=", 20]}]}}, True),
        ({"detail": {"total": [{"numeric": [">=", 20]}]}}, False),
        ({"detail": {"order_id": [{"numeric": ["=", 1042]}]}}, True),
        ({"detail": {"coupon": [{"exists": False}]}}, True),
        ({"detail": {"coupon": [{"exists": True}]}}, False),
        ({"detail": {"channel": [{"exists": True}]}}, True),
        ({"detail": {"channel": [{"exists": False}]}}, False),
        ({"detail": {"channel": [{"equals-ignore-case": "WEB"}]}}, True),
        ({"detail-type": [{"wildcard": "Order *"}]}, True),
        ({"detail-type": [{"wildcard": "Invoice *"}]}, False),
        ({"detail": {"coupon": ["SAVE10"]}}, False),  # a missing field matches only exists: false
        ({"detail": {"missing": {"deeper": ["x"]}}}, False),
        ({"$or": [{"source": ["nope"]}, {"detail": {"channel": ["web"]}}]}, True),
        ({"$or": [{"source": ["nope"]}, {"detail": {"channel": ["store"]}}]}, False),
    ],
)
def test_GIVEN_a_pattern_WHEN_matched_against_an_order_event_THEN_it_answers_as_eventbridge(
    pattern: dict[str, Any], expected: bool
) -> None:
    assert pattern_problems(pattern) == []
    assert matches(pattern, ORDER) is expected


def test_GIVEN_an_array_in_the_event_WHEN_matched_THEN_any_element_may_match() -> None:
    event = {"detail": {"tags": ["new", "sale"], "ip": "198.51.100.23"}}
    assert matches({"detail": {"tags": ["sale"]}}, event)
    assert not matches({"detail": {"tags": ["old"]}}, event)
    assert matches({"detail": {"ip": [{"cidr": "198.51.100.0/24"}]}}, event)
    assert not matches({"detail": {"ip": [{"cidr": "203.0.113.0/24"}]}}, event)


def test_GIVEN_null_and_booleans_WHEN_matched_THEN_they_match_only_themselves() -> None:
    event = {"detail": {"gift": False, "note": None}}
    assert matches({"detail": {"gift": [False]}}, event)
    assert not matches({"detail": {"gift": [0]}}, event)
    assert matches({"detail": {"note": [None]}}, event)
    assert not matches({"detail": {"note": [""]}}, event)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ({"source": "shop.orders"}, "pattern.source: a pattern's leaf is a non-empty list of matchers"),
        ({"source": []}, "pattern.source: a pattern's leaf is a non-empty list of matchers"),
        ({"detail": {}}, "pattern.detail: an empty object matches nothing"),
        ({"source": [{"startswith": "x"}]}, "pattern.source: 'startswith' is not an EventBridge operator"),
        ({"source": [{"prefix": 3}]}, "pattern.source: 'prefix' does not take 3"),
        ({"detail": {"n": [{"numeric": ["<", 5, ">", 1]}]}}, "'numeric' does not take"),
        ({"detail": {"n": [{"numeric": [">", "5"]}]}}, "'numeric' does not take"),
        ({"detail": {"ip": [{"cidr": "not-a-network"}]}}, "'cidr' does not take"),
        ({"$or": [{"source": ["a"]}]}, "pattern.$or: $or takes a list of at least two patterns"),
        ([], "pattern: a pattern is a JSON object, not list"),
    ],
)
def test_GIVEN_a_pattern_eventbridge_refuses_WHEN_checked_THEN_the_problem_names_its_path(
    pattern: Any, problem: str
) -> None:
    assert any(problem in found for found in pattern_problems(pattern)), pattern_problems(pattern)
