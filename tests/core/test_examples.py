"""Examples as tests: every example of the sample app runs as a test, and a wrong one fails."""

from __future__ import annotations

import json
import unittest
from typing import Any

import pytest

from servey_cdk import Authorization, Example, Forbidden, InvalidInput, ScopeAccessControl, action
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec
from servey_cdk.discovery import discover
from servey_cdk.testing import define_test_class, run_example
from tests.conftest import registry_of
from tests.core.conftest import AppWriter

TestSampleAppExamples = define_test_class("sample_app")

APP = """
from servey_cdk import Example, action

@action(examples=(
    Example("right", {"value": 2}, 4),
    Example("wrong", {"value": 2}, 5),
    Example("untested", {"value": 2}, 6, include_in_tests=False),
))
def double(value: int) -> int:
    return value * 2
"""


def run_tests(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def test_GIVEN_the_sample_app_THEN_each_tested_example_is_a_test_method() -> None:
    names = {name for name in dir(TestSampleAppExamples) if name.startswith("test_")}
    assert {
        "test_say_hello__greet_developer",
        "test_get_item__the_answer",
        "test_number_stats__five",
    } <= names


def test_GIVEN_an_example_with_a_wrong_result_THEN_its_generated_test_fails(write_app: AppWriter) -> None:
    result = run_tests(define_test_class(write_app({"maths.py": APP})))

    assert result.testsRun == 2
    assert [test.id().rpartition(".")[2] for test, _ in result.failures] == ["test_double__wrong"]
    assert "'wrong' of 'double'" in result.failures[0][1]


def test_GIVEN_an_example_excluded_from_tests_THEN_no_test_is_made_for_it(write_app: AppWriter) -> None:
    case = define_test_class(write_app({"maths.py": APP}))
    assert not hasattr(case, "test_double__untested")


def test_GIVEN_an_example_whose_params_are_invalid_THEN_running_it_raises_the_422() -> None:
    broken = Example("broken", {"value": "two"}, 4)

    @action(examples=broken)
    def double(value: int) -> int:
        return value * 2

    registry = registry_of(double)

    with pytest.raises(InvalidInput, match="value"):
        run_example(registry, registry.action("double"), broken)


CALLERS_APP = """
from servey_cdk import Authorization, Example, ScopeAccessControl, action

@action(
    access_control=ScopeAccessControl("root"),
    examples=(
        Example("with_scopes", result="servey-example-caller", scopes=("root",)),
        Example("as_alice", result="alice", authorization=Authorization("alice", frozenset({"root"}))),
    ),
)
def whoami(authorization: Authorization) -> str:
    return authorization.subject_id or ""
"""


def test_GIVEN_examples_naming_their_caller_THEN_each_runs_as_that_caller(write_app: AppWriter) -> None:
    result = run_tests(define_test_class(write_app({"callers.py": CALLERS_APP})))

    assert (result.testsRun, result.failures, result.errors) == (2, [], [])


def test_GIVEN_an_example_whose_caller_lacks_the_scope_THEN_running_it_raises_the_403() -> None:
    lacking = Example("lacking", result="x", scopes=("reader",))

    @action(access_control=ScopeAccessControl("root"), examples=lacking)
    def secret() -> str:
        return "x"

    registry = registry_of(secret)

    with pytest.raises(Forbidden):
        run_example(registry, registry.action("secret"), lacking)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"scopes": "root"}, "scopes is a tuple of scopes"),
        ({"scopes": ("root",), "authorization": Authorization("a")}, "give scopes or an authorization"),
    ],
)
def test_GIVEN_an_example_with_a_confused_caller_THEN_it_is_refused_naming_it(
    arguments: dict[str, Any], error: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=f"example 'bad': {error}"):
        Example("bad", **arguments)


NESTED_APP = """
from dataclasses import dataclass

from servey_cdk import Example, action

@dataclass
class Number:
    value: int

    @action(examples=Example("from_json", result=6, owner={"value": 3}))
    def doubled(self) -> int:
        return self.value * 2

@action
def number(value: int) -> Number:
    return Number(value)
"""


def test_GIVEN_examples_of_a_nested_action_with_their_owner_THEN_each_runs_on_it(
    write_app: AppWriter,
) -> None:
    module = write_app({"numbers.py": NESTED_APP})
    registry = discover(module)
    on_an_instance = Example("on_an_instance", result=8, owner=registry.owners["doubled"](4))

    result = run_tests(define_test_class(module))
    run = run_example(registry, registry.action("doubled"), on_an_instance)

    assert (result.testsRun, result.failures, result.errors) == (1, [], [])
    assert run.passed


STAMPS_APP = """
import uuid
from dataclasses import dataclass
from datetime import datetime, UTC

from servey_cdk import ANY_DATETIME, ANY_UUID, Example, action

@dataclass
class Stamp:
    id: uuid.UUID
    at: datetime
    label: str

@action(examples=(
    Example("holds", {"label": "a"}, {"id": ANY_UUID, "at": ANY_DATETIME, "label": "a"}),
    Example("wrong_label", {"label": "a"}, {"id": ANY_UUID, "at": ANY_DATETIME, "label": "b"}),
    Example("swapped", {"label": "a"}, {"id": ANY_DATETIME, "at": ANY_UUID, "label": "a"}),
))
def stamp(label: str) -> Stamp:
    return Stamp(uuid.uuid4(), datetime.now(UTC), label)
"""


def test_GIVEN_an_example_with_matchers_THEN_it_holds_for_any_value_they_match(write_app: AppWriter) -> None:
    result = run_tests(define_test_class(write_app({"stamps.py": STAMPS_APP})))

    failed = sorted(test.id().rpartition(".")[2] for test, _ in result.failures)
    assert (result.testsRun, result.errors) == (3, [])
    assert failed == ["test_stamp__swapped", "test_stamp__wrong_label"]


def test_GIVEN_examples_with_matchers_and_scopes_THEN_the_spec_keeps_markers_and_scopes_as_json(
    write_app: AppWriter,
) -> None:
    spec = load_spec(write_app({"stamps.py": STAMPS_APP, "callers.py": CALLERS_APP}))

    stamp = spec.action("stamp").examples[0]
    callers = spec.action("whoami").examples
    assert stamp.result == {"id": "<any UUID>", "at": "<any datetime>", "label": "a"}
    assert [example.scopes for example in callers] == [("root",), ("root",)]
    assert AppSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec  # JSON as it is, no fallback


PUBLISHING_APP = """
from servey_cdk import Example, action, subscription

news = subscription(str, "news")

@action(publishes=news, examples=Example("announce", {"text": "hi"}, True))
def announce(text: str) -> bool:
    news.publish(text)
    return True
"""


def test_GIVEN_a_publishing_action_THEN_its_example_runs_and_its_deliveries_are_recorded(
    write_app: AppWriter,
) -> None:
    registry = discover(write_app({"news.py": PUBLISHING_APP}))
    action_ = registry.action("announce")

    run = run_example(registry, action_, action_.examples[0])

    assert run.passed
    assert run.deliveries == (("news", "hi", None),)


PUTTING_APP = """
from servey_cdk import Example, action, put_event

@action(puts_events="shop", examples=Example("placed", {"order_id": 7}, "recorded-1"))
def place(order_id: int) -> str:
    return put_event("Order Placed", {"order_id": order_id}, source="shop.orders", bus="shop")
"""


def test_GIVEN_an_action_putting_an_event_THEN_its_example_runs_and_the_entry_is_recorded(
    write_app: AppWriter,
) -> None:
    registry = discover(write_app({"shop.py": PUTTING_APP}))
    action_ = registry.action("place")

    run = run_example(registry, action_, action_.examples[0])

    assert run.passed
    assert [(e.bus, e.detail_type, e.source, e.detail) for e in run.events] == [
        ("shop", "Order Placed", "shop.orders", '{"order_id":7}')
    ]
