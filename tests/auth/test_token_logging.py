"""No token and no Authorization header value reaches the logs, whether the token is good or bad."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event

from .keys import KeyMode, claims, rejected_token


def rest_event(token: str, path: str) -> Any:
    event = load_event("apigw_rest_authorization")
    event["resource"] = event["path"] = path
    event["headers"]["Authorization"] = f"Bearer {token}"
    return event


def connect_event(token: str) -> Any:
    event = load_event("websocket_connect")
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = {"token": token}
    return event


def authorizer_event(token: str) -> Any:
    event = load_event("appsync_authorizer")
    event["authorizationToken"] = event["requestHeaders"]["authorization"] = f"Bearer {token}"
    return event


EVENTS: dict[str, Callable[[str], Any]] = {
    "rest, a protected action": lambda token: rest_event(token, "/actions/only-for-root"),
    "rest, an action echoing the authorization": lambda token: rest_event(
        token, "/actions/echo-authorization"
    ),
    "websocket $connect with ?token=": connect_event,
    "graphql authorizer": authorizer_event,
}


@pytest.mark.parametrize("event_name", sorted(EVENTS))
@pytest.mark.parametrize("token_kind", ["valid", "without the scope", "expired", "signed by another key"])
def test_GIVEN_a_token_WHEN_the_function_handles_it_THEN_the_logs_hold_no_part_of_it(
    event_name: str,
    token_kind: str,
    key_mode: KeyMode,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    sample_registry: Registry,
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    tokens = {
        "valid": lambda: key_mode.sign(claims(), {}),
        "without the scope": lambda: key_mode.sign(claims(scope="reader"), {}),
        "expired": lambda: rejected_token("expired", key_mode)[0],
        "signed by another key": lambda: rejected_token("another key", key_mode)[0],
    }
    token = tokens[token_kind]()
    app = LambdaApp(sample_registry, connections=InMemoryConnectionStore())

    app.handle(EVENTS[event_name](token), FakeLambdaContext())

    captured = capsys.readouterr()
    logs = captured.out + captured.err + caplog.text
    _, payload, signature = token.split(".")
    assert payload not in logs
    assert signature not in logs
    assert "Bearer" not in logs


def test_GIVEN_a_refused_token_WHEN_handled_THEN_the_reason_is_logged(
    key_mode: KeyMode,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sample_registry: Registry,
) -> None:
    """The log is not silent: what was refused and why is there, only the token is not."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    token, reason = rejected_token("expired", key_mode)
    LambdaApp(sample_registry).handle(connect_event(token), FakeLambdaContext())
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["message"].startswith("unauthorized:")
    assert reason in line["message"]
    assert line["route"] == "$connect"
