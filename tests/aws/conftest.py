"""Fixtures for the Lambda runtime: recorded events, a Lambda context, apps and tokens."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from servey_cdk.action import get_action
from servey_cdk.aws.handler import LambdaApp, reset_default_app
from servey_cdk.discovery import Registry, discover
from servey_cdk.tokens import TokenSettings, issue_token

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = REPO_ROOT / "tests" / "events"
SECRET = "test-secret-key-of-sufficient-length-for-hs256"
_EVENT_CACHE: dict[str, Any] = {}


@dataclass
class FakeLambdaContext:
    """The attributes of the context object the Lambda runtime passes to handlers."""

    function_name: str = "servey-test"
    aws_request_id: str = "6f1b2c3d-0000-4000-8000-000000000001"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:servey-test"
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def load_event(name: str) -> Any:
    """A fresh copy of a recorded event, safe to modify in a test."""
    if name not in _EVENT_CACHE:
        _EVENT_CACHE[name] = json.loads((EVENTS / f"{name}.json").read_text())
    return copy.deepcopy(_EVENT_CACHE[name])


def registry_of(*functions: Callable[..., Any], **extra: Any) -> Registry:
    """A registry of exactly these actions."""
    actions = []
    for function in functions:
        found = get_action(function)
        assert found is not None, f"{function!r} is not an action"
        actions.append(found)
    return Registry(module="t", root=REPO_ROOT, actions=tuple(actions), **extra)


@pytest.fixture(scope="session")
def sample_registry() -> Registry:
    return discover("sample_app")


@pytest.fixture
def context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture(autouse=True)
def token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)


@pytest.fixture
def app(sample_registry: Registry) -> LambdaApp:
    """The sample app as a router: every action in one function."""
    return LambdaApp(sample_registry)


@pytest.fixture
def token() -> Callable[..., str]:
    def make(subject: str = "user-1", scopes: tuple[str, ...] = (), **options: Any) -> str:
        return issue_token(TokenSettings.from_environment(), subject, scopes, **options)

    return make


@pytest.fixture
def default_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The module-level handler, discovering the sample app from the environment."""
    monkeypatch.setenv("SERVEY_ACTION_PATH", "sample_app")
    monkeypatch.delenv("SERVEY_ACTION", raising=False)
    reset_default_app()
    yield
    reset_default_app()


WEBSOCKET_CONNECTION = "AbCdEfGhIjKlMnO="  # the connection id of the recorded websocket events


def websocket_connect_event(token: str | None) -> Any:
    """The recorded `$connect`, with `?token=` when a token is given."""
    event = load_event("websocket_connect")
    event["queryStringParameters"] = {"token": token} if token else None
    return event


def websocket_frame_event(frame: Any) -> Any:
    """The recorded `$default` carrying `frame` (JSON-encoded unless it is text already)."""
    event = load_event("websocket_default")
    event["body"] = frame if isinstance(frame, str) else json.dumps(frame)
    return event
