"""Examples as tests: every example of the sample app runs as a test, and a wrong one fails."""

from __future__ import annotations

import unittest

import pytest

from servey_cdk import Example, InvalidInput, action
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
