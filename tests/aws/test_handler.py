"""The entry point: every recorded event is recognised, the app comes from the environment,
and importing the handler stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from servey_cdk.aws import handler as handler_module
from servey_cdk.aws.handler import LambdaApp, UnrecognizedEvent, handler
from tests.code_assets import staged_code_asset
from tests.conftest import EVENTS, REPO_ROOT, FakeLambdaContext, load_event

EVENT_NAMES = sorted(path.stem for path in EVENTS.glob("*.json"))
# refused by design: placeholder tokens, no token for adding an item, a route that is not ours,
# a frame before any $connect
REFUSED = {
    "apigw_rest_authorization",
    "apigw_rest_post_base64",
    "apigw_rest_post_json",
    "apigw_rest_unknown_route",
    "websocket_connect",
    "websocket_default",
}


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_GIVEN_a_recorded_event_WHEN_handled_THEN_its_source_answers_without_error(
    name: str, app: LambdaApp, context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_BUCKET_UPLOADS", "servey-uploads")
    answer: Any = app.handle(load_event(name), context)
    status = answer.get("statusCode", 200) if isinstance(answer, dict) else 200
    assert (status >= 400) == (name in REFUSED), answer


def test_GIVEN_the_app_in_the_environment_WHEN_the_module_handler_is_called_THEN_it_serves_it(
    default_app: None, context: FakeLambdaContext
) -> None:
    response = handler(load_event("apigw_rest_say_hello"), context)
    assert json.loads(response["body"]) == "Hello World!"


def test_GIVEN_several_events_WHEN_the_module_handler_is_called_THEN_the_app_is_discovered_once(
    default_app: None, context: FakeLambdaContext
) -> None:
    handler(load_event("direct_invoke"), context)
    first = handler_module.default_app()
    handler(load_event("direct_invoke"), context)
    assert handler_module.default_app() is first


def test_GIVEN_a_per_action_function_WHEN_created_from_the_environment_THEN_it_serves_that_action_only(
    default_app: None, context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_FUNCTION", "say_hello")
    assert handler({"params": {"name": "Env"}}, context) == "Hello Env!"


def test_GIVEN_an_action_name_that_does_not_exist_WHEN_the_function_starts_THEN_it_fails_naming_it(
    default_app: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_FUNCTION", "say_goodbye")
    with pytest.raises(Exception, match="say_goodbye"):
        handler_module.default_app()


@pytest.mark.parametrize("event", [{"hello": "world"}, "text", 42])
def test_GIVEN_an_event_of_no_known_source_WHEN_handled_THEN_it_is_refused_by_name(
    app: LambdaApp, context: FakeLambdaContext, event: Any
) -> None:
    with pytest.raises(UnrecognizedEvent):
        app.handle(event, context)


def test_GIVEN_no_context_WHEN_handled_THEN_a_request_id_is_made_up(app: LambdaApp) -> None:
    answer = app.handle({"action": "nope"}, None)
    assert len(answer["request_id"]) == 32


HEAVY = ["aws_cdk", "starlette", "graphql", "jinja2", "aws_lambda_powertools", "asyncio", "pydantic"]
# What a function of web actions alone has no use for: its code asset carries its spec, and it
# neither publishes nor puts events.
UNUSED = ["servey_cdk.appspec_builder", "servey_cdk.aws.publisher", "servey_cdk.subscriptions"]
UNUSED += ["servey_cdk.event_bus", "servey_cdk.aws.dynamodb_connections", "concurrent.futures"]


@pytest.mark.parametrize("on_lambda", [False, True])
def test_GIVEN_a_fresh_process_WHEN_the_handler_serves_a_request_THEN_no_heavy_module_is_imported(
    tmp_path: Path, on_lambda: bool
) -> None:
    asset = staged_code_asset("servey_hello", tmp_path / "task", REPO_ROOT / "benchmarks" / "bench_apps")
    script = (
        "import json, sys\n"
        "from servey_cdk.aws.handler import handler\n"
        f"event = json.load(open({str(REPO_ROOT / 'tests/events/apigw_rest_say_hello.json')!r}))\n"
        "assert handler(event, None)['statusCode'] == 200\n"
        f"print(json.dumps(sorted(name for name in {HEAVY + UNUSED!r} if name in sys.modules)))\n"
    )
    env = {"SERVEY_ACTION_PATH": "servey_hello", "SERVEY_FUNCTION": "say_hello", "PYTHONPATH": str(asset)}
    if on_lambda:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "say-hello"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=asset, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []
