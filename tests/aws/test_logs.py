"""Structured logs, and Tracer and Metrics switched by the environment."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from servey_cdk import WEB_GET, Authorization, action
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event, registry_of


@action(triggers=WEB_GET)
def fail(authorization: Authorization | None) -> str:
    raise RuntimeError("the action broke")


@pytest.fixture
def failing_app(monkeypatch: pytest.MonkeyPatch) -> LambdaApp:
    # a service of its own, so the Powertools Logger is made here and writes to this test's stdout
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    return LambdaApp(registry_of(fail))


def failing_event(token: str) -> Any:
    event = load_event("apigw_http_say_hello")
    event["routeKey"] = "GET /actions/fail"
    event["headers"]["authorization"] = f"Bearer {token}"
    return event


def log_lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_GIVEN_an_action_that_raises_WHEN_handled_THEN_a_json_error_line_with_the_traceback(
    failing_app: LambdaApp, context: FakeLambdaContext, make_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    failing_app.handle(failing_event(make_token()), context)
    (line,) = log_lines(capsys.readouterr().out)
    assert (line["level"], line["action"]) == ("ERROR", "fail")
    assert "RuntimeError: the action broke" in line["exception"]


def test_GIVEN_log_lines_WHEN_written_THEN_each_has_the_request_id_and_cold_start_flag(
    failing_app: LambdaApp, context: FakeLambdaContext, make_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    failing_app.handle(failing_event(make_token()), context)
    failing_app.handle(failing_event(make_token()), FakeLambdaContext(aws_request_id="second"))
    lines = log_lines(capsys.readouterr().out)
    assert [(line["function_request_id"], line["cold_start"]) for line in lines] == [
        (context.aws_request_id, True),
        ("second", False),
    ]


def test_GIVEN_a_request_with_a_token_and_cookies_WHEN_it_fails_THEN_neither_is_logged(
    failing_app: LambdaApp, context: FakeLambdaContext, make_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = make_token(subject="alice")
    failing_app.handle(failing_event(secret), context)
    bad = failing_event("not-a-valid-token")
    failing_app.handle(bad, context)
    out = capsys.readouterr().out
    assert len(log_lines(out)) == 2
    for leaked in (secret, "not-a-valid-token", "SESSION_PLACEHOLDER", "Bearer"):
        assert leaked not in out


def test_GIVEN_metrics_switched_on_WHEN_handled_THEN_a_cold_start_metric_is_emitted(
    sample_registry: Registry,
    context: FakeLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SERVEY_METRICS", "1")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "servey-test")
    LambdaApp(sample_registry).handle(load_event("direct_invoke"), context)
    metrics = [line for line in log_lines(capsys.readouterr().out) if "_aws" in line]
    assert any("ColdStart" in line for line in metrics)


def test_GIVEN_tracing_switched_on_WHEN_handled_THEN_the_answer_is_unchanged(
    sample_registry: Registry, context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_TRACING", "1")
    assert LambdaApp(sample_registry).handle(load_event("direct_invoke"), context) == "Hello World!"
