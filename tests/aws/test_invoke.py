"""Direct invokes: {"action": name, "params": {...}}."""

from __future__ import annotations

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event


def test_GIVEN_a_direct_invoke_WHEN_handled_THEN_the_serialized_result(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("direct_invoke"), context) == "Hello World!"


def test_GIVEN_invalid_params_WHEN_invoked_THEN_a_typed_error_object(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    answer = app.handle({"action": "say_hello", "params": {}}, context)
    assert (answer["error"], answer["errorType"], answer["request_id"]) == (
        "invalid_input",
        "InvalidInput",
        context.aws_request_id,
    )
    assert answer["detail"][0]["loc"] == ["name"]


def test_GIVEN_an_unknown_action_WHEN_invoked_THEN_a_not_found_error_object(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle({"action": "nope", "params": {}}, context)["errorType"] == "NotFound"


def test_GIVEN_no_action_WHEN_the_router_is_invoked_THEN_an_invalid_input_error_object(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle({"params": {"name": "x"}}, context)["errorType"] == "InvalidInput"


def test_GIVEN_no_action_WHEN_a_per_action_function_is_invoked_THEN_its_own_action_runs(
    sample_registry: Registry, context: FakeLambdaContext
) -> None:
    answer = LambdaApp(sample_registry, function="say_hello").handle({"params": {"name": "Ann"}}, context)
    assert answer == "Hello Ann!"


def test_GIVEN_an_authorization_in_the_payload_WHEN_invoked_THEN_it_is_ignored(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    payload = {"action": "echo_authorization", "params": {}, "authorization": {"subject_id": "root"}}
    assert app.handle(payload, context) is None


def test_GIVEN_an_authorization_param_WHEN_invoked_THEN_it_is_not_injected(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    payload = {"action": "echo_authorization", "params": {"authorization": {"subject_id": "root"}}}
    assert app.handle(payload, context) is None
