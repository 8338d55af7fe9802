"""A linked action's queue: its visibility timeout, chosen or AWS's advice, and never below the timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from servey_cdk import WEB_GET, SubscriptionTrigger, action, subscription
from servey_cdk.appspec import QueueSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.errors import AppDefinitionError
from tests.conftest import registry_of

events = subscription(str, "events", is_subscribable=False)


@action(triggers=WEB_GET)
def alive() -> bool:
    return True


def queue_of(visibility_timeout: timedelta | None) -> QueueSpec:
    @action(triggers=SubscriptionTrigger(events, visibility_timeout=visibility_timeout), timeout=5)
    def linked(event: str) -> None: ...

    (queue,) = build_spec(registry_of(linked, alive, subscriptions=(events,))).queues
    return queue


def test_GIVEN_no_visibility_timeout_WHEN_built_THEN_it_is_six_times_the_timeout_and_at_least_30s() -> None:
    assert queue_of(None).visibility_timeout == 30


def test_GIVEN_a_visibility_timeout_WHEN_built_THEN_the_queue_has_it() -> None:
    assert queue_of(timedelta(seconds=7)).visibility_timeout == 7


def test_GIVEN_a_visibility_timeout_below_the_actions_timeout_WHEN_built_THEN_the_error_names_both() -> None:
    expected = (
        r"action 'linked' subscription 'events': visibility_timeout 4s is outside the action's timeout \(5s\)"
    )
    with pytest.raises(AppDefinitionError, match=expected):
        queue_of(timedelta(seconds=4))


def test_GIVEN_a_fifo_link_WHEN_built_THEN_its_queue_is_fifo() -> None:
    @action(triggers=SubscriptionTrigger(events, fifo=True), timeout=5)
    def ordered(event: str) -> None: ...

    (queue,) = build_spec(registry_of(ordered, alive, subscriptions=(events,))).queues
    assert queue.fifo
