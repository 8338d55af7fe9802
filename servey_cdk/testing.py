"""Example-driven tests: every `Example` with `include_in_tests` becomes a test.

In a test module:

    from servey_cdk.testing import define_test_class

    TestActions = define_test_class("my_app")

Each example runs through the invocation pipeline (validation and all) and its
result, as JSON would carry it, must equal the example's result, where a matcher
(`ANY_UUID`, …) stands for any value it matches. The caller is the example's
`authorization` or a user holding its `scopes`; failing those, an action that needs
a token is called as a user holding every scope the app's access controls name, as
`servey rehearse --login` calls it with the token it is issued. An app that declares tables,
buckets, secrets or parameters gets them in a local AWS of its own for the test class
(`servey_cdk.local_aws`), seeded and fresh each run. What the action
publishes is recorded, not sent: `run_example(...).deliveries`; a test of your own records
it with `with recording_publisher() as published: ...` and reads `published.deliveries`.
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from servey_cdk.action import Action
from servey_cdk.appspec_builder import auth_of, build_spec
from servey_cdk.authorization import Authorization
from servey_cdk.discovery import Registry, discover
from servey_cdk.event_bus import EventEntry, recording_event_sender
from servey_cdk.example import Example
from servey_cdk.matchers import expected_json, settle
from servey_cdk.subscriptions import RecordingPublisher, recording_publisher
from servey_cdk.tokens import TokenSettings

TEST_REQUEST_ID = "servey-example-test"
TEST_CALLER = "servey-example-caller"  # the subject of a protected example's authorization


@dataclass(frozen=True)
class ExampleRun:
    """One example run: the result the action gave and the one the example expects, both
    JSON-shaped (each matcher that held replaced by the value it matched), what it published and
    the events it put (each an `EventEntry`: source, detail type, detail text, bus)."""

    actual: Any
    expected: Any
    deliveries: tuple[tuple[str, Any, str | None], ...]  # subscription, event, connection
    events: tuple[EventEntry, ...] = ()

    @property
    def passed(self) -> bool:
        return bool(self.actual == self.expected)


def example_cases(registry: Registry) -> list[tuple[Action, Example]]:
    return [
        (action, example)
        for action in registry.actions
        for example in action.examples
        if example.include_in_tests
    ]


def example_caller(registry: Registry, action: Action, example: Example) -> Authorization | None:
    """Who calls the action in an example: see the module's docstring."""
    if example.authorization is not None:
        return example.authorization
    if example.scopes is not None:
        return Authorization(TEST_CALLER, frozenset(example.scopes))
    if action.access_control.requires_token:
        return Authorization(TEST_CALLER, frozenset(auth_of(registry).scopes))
    return None


def run_example(registry: Registry, action: Action, example: Example) -> ExampleRun:
    runner = registry.runner(action.name)
    with recording_publisher() as recorder, recording_event_sender(registry) as events:
        result = runner.invoke(
            example.params,
            authorization=example_caller(registry, action, example),
            source="test",
            request_id=TEST_REQUEST_ID,
            owner=example.owner,
        )
    actual = runner.dump(result)
    expected = settle(expected_json(example.result, runner.result_adapter), actual)
    return ExampleRun(actual, expected, tuple(recorder.deliveries), tuple(events.entries))


def define_test_class(app_module: str | None = None) -> type[unittest.TestCase]:
    """A TestCase with one test method per example of the app."""
    registry = discover(app_module)
    methods: dict[str, Any] = {}
    for action, example in example_cases(registry):
        methods[f"test_{action.name}__{example.name}"] = _example_test(registry, action, example)

    def set_up_class(cls: type[unittest.TestCase]) -> None:
        from servey_cdk.local_aws.backend import declared_resources

        cls.enterClassContext(declared_resources(build_spec(registry)))

    methods["setUpClass"] = classmethod(set_up_class)
    return type("ExampleTests", (unittest.TestCase,), methods)


def _example_test(
    registry: Registry, action: Action, example: Example
) -> Callable[[unittest.TestCase], None]:
    def test(self: unittest.TestCase) -> None:
        run = run_example(registry, action, example)
        self.assertEqual(run.actual, run.expected, f"example {example.name!r} of {action.name!r}")  # noqa: PT009

    test.__doc__ = example.description or f"{action.name}: {example.name}"
    return test


__all__ = [
    "ExampleRun",
    "RecordingPublisher",
    "TokenSettings",
    "define_test_class",
    "example_caller",
    "example_cases",
    "recording_publisher",
    "run_example",
]
