"""The circuit breaker: closed → open after N consecutive failures → half-open after a cool-down."""

from __future__ import annotations

import pytest

from servey_cdk.outbound import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    CircuitStatus,
    InMemoryCircuitStateStore,
)

from .conftest import FakeClock


class ServiceDown(Exception):
    pass


class Service:
    """Counts its calls; fails while `down`."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False

    def __call__(self, value: str = "ok") -> str:
        self.calls += 1
        if self.down:
            raise ServiceDown("unavailable")
        return value


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker("billing", failure_threshold=3, cooldown_s=30, clock=clock)


def fail(breaker: CircuitBreaker, service: Service, times: int) -> None:
    service.down = True
    for _ in range(times):
        with pytest.raises(ServiceDown):
            breaker.call(service)


def test_GIVEN_a_closed_circuit_WHEN_called_THEN_the_result_and_arguments_pass_through(
    breaker: CircuitBreaker, service: Service
) -> None:
    assert breaker.call(service, value="paid") == "paid"
    assert breaker.state == CircuitState()


def test_GIVEN_fewer_failures_than_the_threshold_THEN_the_circuit_stays_closed(
    breaker: CircuitBreaker, service: Service
) -> None:
    fail(breaker, service, 2)

    assert breaker.state == CircuitState(CircuitStatus.CLOSED, failures=2)


def test_GIVEN_failures_WHEN_a_call_succeeds_THEN_the_count_starts_again(
    breaker: CircuitBreaker, service: Service
) -> None:
    fail(breaker, service, 2)
    service.down = False
    breaker.call(service)
    fail(breaker, service, 2)

    assert breaker.state.status is CircuitStatus.CLOSED


def test_GIVEN_threshold_consecutive_failures_THEN_the_circuit_opens_and_fails_fast_without_calling(
    breaker: CircuitBreaker, service: Service, clock: FakeClock
) -> None:
    fail(breaker, service, 3)
    clock.advance(10)

    with pytest.raises(CircuitOpen, match=r"circuit 'billing' is open .*retry in 20.0 s") as rejected:
        breaker.call(service)

    assert service.calls == 3
    assert rejected.value.retry_after_s == 20
    assert breaker.state == CircuitState(CircuitStatus.OPEN, failures=3, changed_at=clock.now - 10)


def test_GIVEN_an_open_circuit_WHEN_the_cooldown_passes_THEN_one_trial_call_closes_it_on_success(
    breaker: CircuitBreaker, service: Service, clock: FakeClock
) -> None:
    fail(breaker, service, 3)
    clock.advance(30)
    service.down = False

    assert breaker.call(service) == "ok"

    assert service.calls == 4
    assert breaker.state == CircuitState()


def test_GIVEN_a_half_open_trial_under_way_WHEN_another_call_comes_THEN_it_fails_fast(
    breaker: CircuitBreaker, service: Service, clock: FakeClock
) -> None:
    fail(breaker, service, 3)
    clock.advance(30)
    service.down = False

    def trial() -> str:
        with pytest.raises(CircuitOpen):
            breaker.call(service)
        return "trial done"

    assert breaker.call(trial) == "trial done"
    assert service.calls == 3


def test_GIVEN_a_half_open_trial_WHEN_it_fails_THEN_the_circuit_opens_for_another_cooldown(
    breaker: CircuitBreaker, service: Service, clock: FakeClock
) -> None:
    fail(breaker, service, 3)
    clock.advance(30)

    fail(breaker, service, 1)
    clock.advance(29)

    with pytest.raises(CircuitOpen):
        breaker.call(service)
    assert service.calls == 4
    assert breaker.state.status is CircuitStatus.OPEN


def test_GIVEN_a_trial_that_never_reported_back_WHEN_another_cooldown_passes_THEN_a_new_trial_is_let_through(
    service: Service, clock: FakeClock
) -> None:
    store = InMemoryCircuitStateStore()
    store.put(CircuitState(CircuitStatus.HALF_OPEN, failures=3, changed_at=clock.now), CircuitState())
    breaker = CircuitBreaker("billing", failure_threshold=3, cooldown_s=30, store=store, clock=clock)
    clock.advance(30)

    assert breaker.call(service) == "ok"
    assert breaker.state == CircuitState()


def test_GIVEN_a_store_changed_by_another_caller_WHEN_put_with_a_stale_expectation_THEN_it_is_refused() -> (
    None
):
    store = InMemoryCircuitStateStore()
    first = CircuitState(CircuitStatus.CLOSED, failures=1)
    assert store.put(first, CircuitState())

    assert not store.put(CircuitState(CircuitStatus.CLOSED, failures=1), CircuitState())
    assert store.get() == first


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({"failure_threshold": 0}, "failure_threshold must be at least 1, not 0", id="threshold"),
        pytest.param({"cooldown_s": -1}, "cooldown_s must not be negative, not -1", id="cooldown"),
    ],
)
def test_GIVEN_impossible_settings_THEN_the_breaker_refuses_them_by_name(
    settings: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=f"circuit 'billing': {message}"):
        CircuitBreaker("billing", **settings)  # type: ignore[arg-type]
