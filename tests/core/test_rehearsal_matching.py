"""The values the rehearsal builds to meet a rule's pattern or a subscription's filter policy.

GIVEN a pattern WHEN values are built from its literals THEN the pattern matches them, or the
field that allows no literal value is named.
"""

from __future__ import annotations

import pytest

from servey_cdk.event_patterns import matches
from servey_cdk.rehearsal.events import eventbridge_event
from servey_cdk.rehearsal.matching import NoLiteral, matching_values


def test_GIVEN_a_pattern_of_literals_WHEN_built_THEN_its_first_values_make_an_event_it_matches() -> None:
    pattern = {"source": ["shop.orders"], "detail-type": ["Order Placed", "Order Paid"], "detail": {"n": [7]}}

    built = matching_values(pattern)

    assert built == {"source": "shop.orders", "detail-type": "Order Placed", "detail": {"n": 7}}
    assert matches(pattern, eventbridge_event(built))


def test_GIVEN_an_or_whose_first_alternative_has_no_literal_WHEN_built_THEN_the_next_one_is_taken() -> None:
    pattern = {"source": ["a"], "$or": [{"detail": {"n": [{"numeric": [">", 1]}]}}, {"detail-type": ["T"]}]}

    assert matching_values(pattern) == {"source": "a", "detail-type": "T"}


def test_GIVEN_a_field_that_may_be_absent_WHEN_built_THEN_it_is_left_out() -> None:
    assert matching_values({"kind": ["x"], "trace": [{"exists": False}]}) == {"kind": "x"}


def test_GIVEN_a_field_of_conditions_only_WHEN_built_THEN_the_error_names_the_field() -> None:
    with pytest.raises(NoLiteral, match=r'detail\.total allows no literal value \(\[\{"prefix": "1"\}\]\)'):
        matching_values({"detail": {"total": [{"prefix": "1"}]}})
