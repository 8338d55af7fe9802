"""The invocation pipeline: validation, authorization, access control, middleware and errors."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, Optional

import pydantic
import pytest

from servey_cdk import (
    AllowAll,
    AllowNone,
    Authorization,
    CallNext,
    Forbidden,
    InvalidInput,
    Invocation,
    NotFound,
    ScopeAccessControl,
    Unauthorized,
    action,
)
from servey_cdk.access_control import AccessControl
from servey_cdk.action import get_action
from servey_cdk.discovery import Registry
from servey_cdk.errors import ActionFailed
from servey_cdk.invocation import ActionRunner, _nesting_depth
from tests.conftest import registry_of

ROOT = Authorization(subject_id="alice", scopes=frozenset({"root"}))
USER = Authorization(subject_id="bob", scopes=frozenset({"user"}))


def invoke(registry: Registry, name: str, params: dict[str, Any], **options: Any) -> Any:
    options.setdefault("authorization", None)
    return registry.runner(name).invoke(params, source="test", request_id="req-1", **options)


@action
def add(a: int, b: int = 1) -> int:
    return a + b


@action
def whoami(authorization: Authorization | None) -> str | None:
    return authorization.subject_id if authorization else None


# --- validation --------------------------------------------------------------------------------


def test_GIVEN_a_missing_and_a_bad_parameter_WHEN_invoked_THEN_422_lists_each_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        invoke(registry_of(add), "add", {"b": "not a number"})

    error = raised.value
    assert error.status == 422
    assert {tuple(field["loc"]) for field in error.detail} == {("a",), ("b",)}
    assert {field["type"] for field in error.detail} == {"missing", "int_parsing"}
    assert all(field["msg"] for field in error.detail)


def test_GIVEN_invalid_parameters_WHEN_invoked_THEN_the_message_names_the_action_and_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"action 'add'.*\ba\b.*Field required"):
        invoke(registry_of(add), "add", {})


def test_GIVEN_a_422_error_WHEN_rendered_THEN_the_body_carries_the_fields_and_request_id() -> None:
    with pytest.raises(InvalidInput) as raised:
        invoke(registry_of(add), "add", {"a": "x"})

    body = raised.value.body("req-1")

    assert body["error"] == "invalid_input"
    assert body["request_id"] == "req-1"
    assert body["detail"][0]["loc"] == ["a"]


def test_GIVEN_valid_parameters_WHEN_invoked_THEN_the_result_is_returned() -> None:
    assert invoke(registry_of(add), "add", {"a": 2, "b": 3}) == 5


# --- authorization injection -------------------------------------------------------------------


def test_GIVEN_an_authorization_parameter_WHEN_invoked_THEN_it_is_injected_from_the_argument() -> None:
    assert invoke(registry_of(whoami), "whoami", {}, authorization=ROOT) == "alice"


def test_GIVEN_authorization_in_the_input_WHEN_invoked_anonymously_THEN_the_input_is_ignored() -> None:
    forged = {"authorization": {"subject_id": "mallory", "scopes": ["root"]}}

    assert invoke(registry_of(whoami), "whoami", forged) is None


def test_GIVEN_authorization_in_the_input_WHEN_invoked_with_a_token_THEN_the_token_wins() -> None:
    forged = {"authorization": {"subject_id": "mallory", "scopes": ["root"]}}

    assert invoke(registry_of(whoami), "whoami", forged, authorization=USER) == "bob"


def test_GIVEN_a_required_authorization_parameter_THEN_it_is_not_an_input() -> None:
    @action
    def strict(authorization: Authorization) -> str:
        return authorization.subject_id or ""

    runner = registry_of(strict).runner("strict")

    assert runner.signature.inputs == ()
    assert runner.signature.authorization == "authorization"
    assert invoke(registry_of(strict), "strict", {}, authorization=ROOT) == "alice"


# --- access control ----------------------------------------------------------------------------


def guarded(control: AccessControl) -> Registry:
    @action(access_control=control)
    def secret() -> str:
        return "Some Secret Data!"

    return registry_of(secret)


@pytest.mark.parametrize("authorization", [None, USER, ROOT])
def test_GIVEN_allow_all_WHEN_invoked_by_anyone_THEN_it_runs(authorization: Authorization | None) -> None:
    assert invoke(guarded(AllowAll()), "secret", {}, authorization=authorization) == "Some Secret Data!"


def test_GIVEN_allow_none_WHEN_invoked_anonymously_THEN_401() -> None:
    with pytest.raises(Unauthorized) as raised:
        invoke(guarded(AllowNone()), "secret", {})
    assert raised.value.status == 401


def test_GIVEN_allow_none_WHEN_invoked_with_any_token_THEN_403() -> None:
    with pytest.raises(Forbidden) as raised:
        invoke(guarded(AllowNone()), "secret", {}, authorization=ROOT)
    assert raised.value.status == 403


def test_GIVEN_a_scope_control_WHEN_invoked_anonymously_THEN_401_naming_the_action() -> None:
    with pytest.raises(Unauthorized, match="'secret'"):
        invoke(guarded(ScopeAccessControl("root")), "secret", {})


def test_GIVEN_a_scope_control_WHEN_the_token_lacks_the_scope_THEN_403() -> None:
    with pytest.raises(Forbidden, match="'secret'"):
        invoke(guarded(ScopeAccessControl("root")), "secret", {}, authorization=USER)


def test_GIVEN_a_scope_control_WHEN_the_token_holds_the_scope_THEN_it_runs() -> None:
    assert (
        invoke(guarded(ScopeAccessControl("root")), "secret", {}, authorization=ROOT) == "Some Secret Data!"
    )


def test_GIVEN_a_scope_control_WHEN_the_authorization_has_expired_THEN_it_is_refused() -> None:
    expired = dataclasses.replace(ROOT, expire_at=datetime.now(UTC) - timedelta(seconds=1))

    with pytest.raises(Forbidden):
        invoke(guarded(ScopeAccessControl("root")), "secret", {}, authorization=expired)


def test_GIVEN_a_scope_control_WHEN_the_authorization_is_not_yet_valid_THEN_it_is_refused() -> None:
    early = dataclasses.replace(ROOT, not_before=datetime.now(UTC) + timedelta(hours=1))

    with pytest.raises(Forbidden):
        invoke(guarded(ScopeAccessControl("root")), "secret", {}, authorization=early)


@dataclasses.dataclass(frozen=True)
class OwnerOnly:
    """A custom rule: only the subject named here may run the action."""

    subject_id: str

    @property
    def requires_token(self) -> bool:
        return True

    def is_executable(self, authorization: Authorization | None) -> bool:
        return authorization is not None and authorization.subject_id == self.subject_id


def test_GIVEN_a_custom_access_control_THEN_it_satisfies_the_protocol() -> None:
    assert isinstance(OwnerOnly("bob"), AccessControl)


def test_GIVEN_a_custom_access_control_WHEN_its_rule_passes_THEN_it_runs() -> None:
    assert invoke(guarded(OwnerOnly("bob")), "secret", {}, authorization=USER) == "Some Secret Data!"


def test_GIVEN_a_custom_access_control_WHEN_its_rule_fails_THEN_403() -> None:
    with pytest.raises(Forbidden):
        invoke(guarded(OwnerOnly("bob")), "secret", {}, authorization=ROOT)


def test_GIVEN_access_is_denied_THEN_the_parameters_are_not_even_validated() -> None:
    @action(access_control=AllowNone())
    def locked(a: int) -> int:
        return a

    with pytest.raises(Unauthorized):
        invoke(registry_of(locked), "locked", {"a": "not a number"})


# --- async actions -----------------------------------------------------------------------------


def test_GIVEN_an_async_action_WHEN_invoked_THEN_its_awaited_result_is_returned() -> None:
    @action
    async def double(value: int) -> int:
        return value * 2

    assert invoke(registry_of(double), "double", {"value": "21"}) == 42


def test_GIVEN_an_async_action_WHEN_invoked_twice_THEN_both_calls_succeed() -> None:
    @action
    async def double(value: int) -> int:
        return value * 2

    registry = registry_of(double)

    assert [invoke(registry, "double", {"value": n}) for n in (1, 2)] == [2, 4]


# --- middleware --------------------------------------------------------------------------------


def test_GIVEN_two_middlewares_WHEN_invoked_THEN_the_first_runs_outermost() -> None:
    calls: list[str] = []

    def outer(invocation: Invocation, call_next: CallNext) -> Any:
        calls.append("outer in")
        result = call_next(invocation)
        calls.append("outer out")
        return result

    def inner(invocation: Invocation, call_next: CallNext) -> Any:
        calls.append("inner in")
        result = call_next(invocation)
        calls.append("inner out")
        return result

    @action
    def work() -> str:
        calls.append("action")
        return "done"

    registry = registry_of(work, middlewares=(outer, inner))

    assert invoke(registry, "work", {}) == "done"
    assert calls == ["outer in", "inner in", "action", "inner out", "outer out"]


def test_GIVEN_a_middleware_WHEN_invoked_THEN_it_sees_the_validated_invocation() -> None:
    seen: list[Invocation] = []

    def spy(invocation: Invocation, call_next: CallNext) -> Any:
        seen.append(invocation)
        return call_next(invocation)

    invoke(registry_of(add, middlewares=(spy,)), "add", {"a": "2"}, authorization=USER)

    assert seen[0].action.name == "add"
    assert seen[0].params == {"a": 2, "b": 1}
    assert seen[0].authorization is USER
    assert (seen[0].source, seen[0].request_id) == ("test", "req-1")


def test_GIVEN_a_guard_middleware_WHEN_it_raises_forbidden_THEN_the_action_does_not_run() -> None:
    ran: list[bool] = []

    def guard(invocation: Invocation, call_next: CallNext) -> Any:
        raise Forbidden(f"{invocation.action.name} is closed today")

    @action
    def work() -> None:
        ran.append(True)

    with pytest.raises(Forbidden, match="work is closed today"):
        invoke(registry_of(work, middlewares=(guard,)), "work", {})
    assert ran == []


def test_GIVEN_a_middleware_WHEN_it_replaces_the_result_THEN_the_caller_gets_the_replacement() -> None:
    def shout(invocation: Invocation, call_next: CallNext) -> Any:
        return str(call_next(invocation)).upper()

    @action
    def greet() -> str:
        return "hello"

    assert invoke(registry_of(greet, middlewares=(shout,)), "greet", {}) == "HELLO"


# --- errors ------------------------------------------------------------------------------------


def test_GIVEN_an_action_that_raises_WHEN_invoked_THEN_action_failed_500_keeps_the_cause() -> None:
    @action
    def broken() -> None:
        raise KeyError("internal detail")

    with pytest.raises(ActionFailed) as raised:
        invoke(registry_of(broken), "broken", {})

    error = raised.value
    assert error.status == 500
    assert isinstance(error.__cause__, KeyError)
    assert "internal detail" not in error.message
    assert "broken" in error.message


def test_GIVEN_an_action_that_raises_not_found_WHEN_invoked_THEN_it_passes_through() -> None:
    @action
    def lookup(item_id: int) -> str:
        raise NotFound(f"no item {item_id}")

    with pytest.raises(NotFound, match="no item 7") as raised:
        invoke(registry_of(lookup), "lookup", {"item_id": 7})
    assert raised.value.status == 404


# --- nested actions ----------------------------------------------------------------------------


@dataclasses.dataclass
class Stats:
    value: int

    @action
    def doubled(self, plus: int = 0) -> int:
        return self.value * 2 + plus


@action
def stats(value: int) -> Stats:
    return Stats(value)


def nested_registry() -> Registry:
    from servey_cdk.action import get_action

    doubled = get_action(Stats.doubled)
    assert doubled is not None
    return registry_of(stats, Stats.doubled, owners={doubled.name: Stats})


def test_GIVEN_a_nested_action_WHEN_invoked_THEN_self_is_the_validated_owner() -> None:
    assert invoke(nested_registry(), "doubled", {"plus": 1}, owner={"value": "5"}) == 11


def test_GIVEN_a_nested_action_WHEN_the_owner_is_invalid_THEN_422_points_at_the_source() -> None:
    with pytest.raises(InvalidInput) as raised:
        invoke(nested_registry(), "doubled", {}, owner={"value": "five"})

    assert raised.value.detail[0]["loc"] == ["source", "value"]


# --- laziness ----------------------------------------------------------------------------------


def test_GIVEN_a_new_runner_THEN_no_validator_is_built_until_the_first_invoke() -> None:
    @action
    def area(point: Stats, scale: list[int]) -> int:
        return point.value * sum(scale)

    registry = registry_of(area)
    runner = registry.runner("area")

    assert "params_model" not in runner.__dict__
    assert "result_adapter" not in runner.__dict__
    assert invoke(registry, "area", {"point": {"value": 2}, "scale": [1, 2]}) == 6
    assert "params_model" in runner.__dict__


def test_GIVEN_a_registry_WHEN_asked_twice_for_a_runner_THEN_it_is_the_same_one() -> None:
    registry = registry_of(add)

    runner = registry.runner("add")

    assert isinstance(runner, ActionRunner)
    assert registry.runner("add") is runner


def test_GIVEN_an_unknown_action_name_WHEN_asked_for_a_runner_THEN_404_naming_it() -> None:
    with pytest.raises(NotFound, match="'nope'"):
        registry_of(add).runner("nope")


def test_GIVEN_an_optional_authorization_parameter_THEN_it_is_injected_too() -> None:
    @action
    def maybe(auth: Optional[Authorization] = None) -> str:  # noqa: UP045 - the spelling users write
        return auth.subject_id if auth and auth.subject_id else "anonymous"

    registry = registry_of(maybe)

    assert registry.runner("maybe").signature.inputs == ()
    assert invoke(registry, "maybe", {}, authorization=USER) == "bob"
    assert invoke(registry, "maybe", {"auth": {"subject_id": "mallory"}}) == "anonymous"


def test_GIVEN_the_sample_apps_async_nested_action_THEN_it_resolves_from_its_source(
    sample_registry: Registry,
) -> None:
    assert invoke(sample_registry, "factorial", {}, owner={"value": 5}) == 120


class _Line(pydantic.BaseModel):
    sku: str
    tags: list[str] = []


class _Basket(pydantic.BaseModel):
    lines: list[_Line]


class _Tree(pydantic.BaseModel):
    children: list[_Tree] = []


class _Open(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    name: str


@pytest.mark.parametrize(
    ("annotation", "depth"),
    [
        (_Basket, 5),
        (list[list[int]], 3),
        (int, 1),
        (dict[str, int], None),
        (Any, None),
        (_Tree, None),
        (_Open, None),
    ],
)
def test_GIVEN_a_parameter_type_WHEN_its_nesting_is_bounded_THEN_the_bound_is_that_of_its_deepest_value(
    annotation: Any, depth: int | None
) -> None:
    params = pydantic.create_model("params", value=(annotation, ...))

    assert _nesting_depth(params.__pydantic_core_schema__) == depth


def test_GIVEN_a_bounded_model_body_WHEN_an_ignored_field_nests_deep_THEN_the_one_pass_serves_it() -> None:
    @action
    def basket_size(basket: _Basket) -> int:
        return len(basket.lines)

    found = get_action(basket_size)
    assert found is not None
    runner = ActionRunner(found)
    deep = '{"a": ' * 40 + "{}" + "}" * 40
    text = '{"basket": {"lines": [{"sku": "x", "ignored": ' + deep + "}]}}"

    assert runner.validate_json(text) == {"basket": _Basket(lines=[_Line(sku="x")])}
