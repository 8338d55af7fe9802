"""Structured logs, and Tracer and Metrics switched by the environment."""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from typing import Any

import pytest

from servey_cdk import WEB_GET, Authorization, WebTrigger, action
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.logs import AppLines, join_lambda_runtime_logging
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event, registry_of


@action(triggers=WEB_GET)
def fail(authorization: Authorization | None) -> str:
    raise RuntimeError("the action broke")


LEAKED_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWEtdG9rZW4"


@action(triggers=WEB_GET)
def leak() -> str:
    raise ValueError(f"cannot use the token {LEAKED_TOKEN}")


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


def test_GIVEN_an_exception_whose_text_holds_a_token_WHEN_logged_THEN_the_traceback_has_it_redacted(
    monkeypatch: pytest.MonkeyPatch, context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    event = load_event("apigw_http_say_hello")
    event["routeKey"] = "GET /actions/leak"
    assert LambdaApp(registry_of(leak)).handle(event, context)["statusCode"] == 500
    out = capsys.readouterr().out
    (line,) = log_lines(out)
    assert "ValueError: cannot use the token [redacted]" in line["exception"]
    assert LEAKED_TOKEN not in out


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


shop_log = logging.getLogger("shop.items")  # the app's own logger, as an app module makes one
shop_log.setLevel(logging.INFO)


@action(triggers=WebTrigger("GET", "/items/{item_id}"))
def get_item(item_id: str) -> dict[str, str]:
    shop_log.info("looking up item %s", item_id)
    shop_log.warning("cache miss for %s; caller sent Bearer %s", item_id, "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0")
    return {"id": item_id}


@action(triggers=WebTrigger("GET", "/numbers/{value}"))
def double(value: int) -> int:
    return 2 * value


@pytest.fixture
def shop_app(monkeypatch: pytest.MonkeyPatch) -> LambdaApp:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    return LambdaApp(registry_of(get_item, fail))


def test_GIVEN_an_action_logging_with_the_stdlib_logger_WHEN_handled_THEN_each_line_names_it_and_the_request(
    shop_app: LambdaApp, capsys: pytest.CaptureFixture[str]
) -> None:
    context = FakeLambdaContext(aws_request_id="c0ffee00-1111-4222-8333-444455556666")
    answer = shop_app.handle(load_event("apigw_rest_path_param"), context)
    assert answer["statusCode"] == 200
    lines = log_lines(capsys.readouterr().out)
    assert [(line["level"], line["message"]) for line in lines] == [
        ("INFO", "looking up item 42"),
        ("WARNING", "cache miss for 42; caller sent Bearer [redacted]"),
    ]
    for line in lines:
        assert (line["action"], line["function_request_id"]) == ("get_item", context.aws_request_id)
        assert line["cold_start"] is True


def test_GIVEN_invocations_of_two_actions_THEN_servey_lines_and_the_apps_lines_carry_their_own_action(
    shop_app: LambdaApp, make_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_app.handle(load_event("apigw_rest_path_param"), FakeLambdaContext(aws_request_id="first"))
    shop_app.handle(failing_event(make_token()), FakeLambdaContext(aws_request_id="second"))
    lines = log_lines(capsys.readouterr().out)
    assert [(line["action"], line["function_request_id"], line["level"]) for line in lines] == [
        ("get_item", "first", "INFO"),
        ("get_item", "first", "WARNING"),
        ("fail", "second", "ERROR"),
    ]


def test_GIVEN_a_line_logged_outside_an_invocation_THEN_the_structured_log_leaves_it_to_other_handlers(
    shop_app: LambdaApp, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_app.handle(load_event("apigw_rest_path_param"), FakeLambdaContext())
    capsys.readouterr()
    shop_log.warning("after the invocation")
    assert log_lines(capsys.readouterr().out) == []


def test_GIVEN_the_lambda_runtimes_root_handler_WHEN_joined_THEN_it_writes_only_lines_outside_invocations(
    shop_app: LambdaApp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The runtime's plain-text handler would write each of the invocation's lines a second time."""
    root = logging.getLogger()
    runtime_output = io.StringIO()
    runtime_handler = logging.StreamHandler(runtime_output)
    # the runtime's handler alone beside the structured log's: pytest's own are left as they are
    ours = [handler for handler in root.handlers if isinstance(handler, AppLines)]
    monkeypatch.setattr(root, "handlers", [*ours, runtime_handler])
    monkeypatch.setattr(root, "level", logging.WARNING)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "info")
    join_lambda_runtime_logging()
    assert root.level == logging.INFO  # the app's INFO lines reach the handlers without a setLevel of its own

    shop_app.handle(load_event("apigw_rest_path_param"), FakeLambdaContext())
    logging.getLogger("shop.other").info("after the invocation")

    assert [line["action"] for line in log_lines(capsys.readouterr().out)] == ["get_item", "get_item"]
    assert runtime_output.getvalue() == "after the invocation\n"


def test_GIVEN_a_call_refused_for_its_input_WHEN_handled_THEN_the_warning_line_names_the_action(
    monkeypatch: pytest.MonkeyPatch, context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    event = load_event("apigw_rest_path_param")
    event.update(resource="/numbers/{value}", path="/numbers/x", pathParameters={"value": "x"})
    answer = LambdaApp(registry_of(double)).handle(event, context)
    assert answer["statusCode"] == 422
    (line,) = log_lines(capsys.readouterr().out)
    assert (line["level"], line["action"], line["function_request_id"]) == (
        "WARNING",
        "double",
        context.aws_request_id,
    )
    assert line["message"].startswith("invalid_input:")


@action(triggers=WEB_GET)
def report_in_background() -> str:
    worker = threading.Thread(target=lambda: shop_log.warning("from a thread of the action's own"))
    worker.start()
    worker.join()
    return "started"


def test_GIVEN_a_thread_the_action_starts_WHEN_it_logs_THEN_the_runtimes_handler_writes_the_line_once(
    monkeypatch: pytest.MonkeyPatch, context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside the invocation's context the structured log cannot tell whose line it is: it leaves it."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    root = logging.getLogger()
    runtime_output = io.StringIO()
    ours = [handler for handler in root.handlers if isinstance(handler, AppLines)]
    monkeypatch.setattr(root, "handlers", [*ours, logging.StreamHandler(runtime_output)])
    monkeypatch.setattr(root, "level", logging.WARNING)
    join_lambda_runtime_logging()
    event = load_event("direct_invoke")
    event.update(action="report_in_background", params={})

    assert LambdaApp(registry_of(report_in_background)).handle(event, context) == "started"
    assert log_lines(capsys.readouterr().out) == []
    assert runtime_output.getvalue() == "from a thread of the action's own\n"


BOTH_RUNNING = threading.Barrier(2, timeout=10)


@action(triggers=WEB_GET)
def meet(tag: str) -> str:
    BOTH_RUNNING.wait()  # each logs only once both invocations have begun
    logging.getLogger("servey_test_meet").warning("tag %s", tag)
    return tag


def test_GIVEN_two_invocations_at_once_as_servey_local_runs_them_THEN_each_line_carries_its_own_request_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    app = LambdaApp(registry_of(meet))

    def call(tag: str) -> None:
        event = load_event("apigw_rest_say_hello")
        event.update(resource="/actions/meet", path="/actions/meet", queryStringParameters={"tag": tag})
        event["multiValueQueryStringParameters"] = {"tag": [tag]}
        assert app.handle(event, FakeLambdaContext(aws_request_id=f"request-{tag}"))["statusCode"] == 200

    threads = [threading.Thread(target=call, args=(tag,)) for tag in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = log_lines(capsys.readouterr().out)
    assert sorted((line["message"], line["function_request_id"]) for line in lines) == [
        ("tag a", "request-a"),
        ("tag b", "request-b"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        'sent "https://x.example/?token=abc123"',
        'header "Bearer abc.def"',
        "a JWT eyJhbGci.eyJzdWIi.c2ln in quotes",
    ],
)
def test_GIVEN_a_token_inside_a_json_line_WHEN_redacted_THEN_the_line_is_still_json(message: str) -> None:
    from servey_cdk.redaction import redact

    line = redact(json.dumps({"message": message}))
    assert "[redacted]" in json.loads(line)["message"]
    assert not any(secret in line for secret in ("abc123", "abc.def", "c2ln"))
