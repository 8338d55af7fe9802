"""Example-driven tests: every `Example` with `include_in_tests` becomes a test.

In a test module:

    from servey_cdk.testing import define_test_class

    TestActions = define_test_class("my_app")

Each example runs through the invocation pipeline (validation and all) and its
result, as JSON would carry it, must equal the example's result. An action that needs
a token is called as a user holding every scope the app's access controls name, as
`servey rehearse --login` calls it with the token it is issued.
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from typing import Any

from servey_cdk.action import Action
from servey_cdk.appspec_builder import auth_of
from servey_cdk.authorization import Authorization
from servey_cdk.discovery import Registry, discover
from servey_cdk.example import Example
from servey_cdk.tokens import TokenSettings

TEST_REQUEST_ID = "servey-example-test"
TEST_CALLER = "servey-example-caller"  # the subject of a protected example's authorization


def example_cases(registry: Registry) -> list[tuple[Action, Example]]:
    return [
        (action, example)
        for action in registry.actions
        for example in action.examples
        if example.include_in_tests
    ]


def run_example(registry: Registry, action: Action, example: Example) -> tuple[Any, Any]:
    """(the result the action gave, the result the example expects), both JSON-shaped."""
    runner = registry.runner(action.name)
    caller = Authorization(TEST_CALLER, frozenset(auth_of(registry).scopes))
    authorization = caller if action.access_control.requires_token else None
    result = runner.invoke(
        example.params, authorization=authorization, source="test", request_id=TEST_REQUEST_ID
    )
    adapter = runner.result_adapter
    expected = adapter.dump_python(adapter.validate_python(example.result), mode="json")
    return runner.dump(result), expected


def define_test_class(app_module: str | None = None) -> type[unittest.TestCase]:
    """A TestCase with one test method per example of the app."""
    registry = discover(app_module)
    methods: dict[str, Callable[[unittest.TestCase], None]] = {}
    for action, example in example_cases(registry):
        methods[f"test_{action.name}__{example.name}"] = _example_test(registry, action, example)
    return type("ExampleTests", (unittest.TestCase,), methods)


def _example_test(
    registry: Registry, action: Action, example: Example
) -> Callable[[unittest.TestCase], None]:
    def test(self: unittest.TestCase) -> None:
        actual, expected = run_example(registry, action, example)
        self.assertEqual(actual, expected, f"example {example.name!r} of {action.name!r}")  # noqa: PT009

    test.__doc__ = example.description or f"{action.name}: {example.name}"
    return test


__all__ = ["TokenSettings", "define_test_class", "example_cases", "run_example"]
