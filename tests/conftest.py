"""What the whole suite shares: the repository's paths, recorded AWS events, a Lambda context,
the sample app's registry and handler, tokens, and AWS mocked by moto.

Each folder's own `conftest.py` keeps only what is its own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from servey_cdk.action import get_action
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry, discover
from servey_cdk.local_aws.backend import LocalResources, declared_resources
from servey_cdk.tokens import TokenSettings, issue_token

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS = REPO_ROOT / "tests" / "events"
SAMPLE_APP = "sample_app"
SECRET = "test-secret-key-of-sufficient-length-for-hs256"  # the HS256 key of the tests that fix one
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
    """A fresh copy of a recorded event (`tests/events/NAME.json`), safe to modify in a test."""
    if name not in _EVENT_CACHE:
        _EVENT_CACHE[name] = json.loads((EVENTS / f"{name}.json").read_text())
    return copy.deepcopy(_EVENT_CACHE[name])


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


def registry_of(*functions: Callable[..., Any], root: Path = REPO_ROOT, **extra: Any) -> Registry:
    """A registry holding exactly these decorated functions."""
    actions = []
    for function in functions:
        found = get_action(function)
        assert found is not None, f"{function!r} is not an action"
        actions.append(found)
    return Registry(module="t", root=root, actions=tuple(actions), **extra)


@contextmanager
def mocked_aws() -> Iterator[None]:
    """Every boto3 client made inside talks to moto, never to AWS."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        yield


@pytest.fixture
def aws() -> Iterator[None]:
    """AWS mocked by moto for the test."""
    with mocked_aws():
        yield


@pytest.fixture(scope="session")
def sample_registry() -> Registry:
    return discover(SAMPLE_APP)


@pytest.fixture
def sample_aws(sample_registry: Registry) -> Iterator[LocalResources | None]:
    """The sample app's declared resources on a fresh, seeded local AWS (moto, in process)."""
    with declared_resources(build_spec(sample_registry)) as resources:
        yield resources


@pytest.fixture
def lambda_app(sample_registry: Registry, sample_aws: LocalResources | None) -> LambdaApp:
    """The sample app's router, its websocket connections kept in memory, its resources local."""
    return LambdaApp(sample_registry, connections=InMemoryConnectionStore())


@pytest.fixture
def context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def make_token() -> Callable[..., str]:
    """`make_token(*scopes, subject="tester")`: a token this process's token settings accept."""
    return lambda *scopes, subject="tester": issue_token(
        TokenSettings.from_environment(), subject, set(scopes)
    )
