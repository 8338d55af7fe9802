from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec, build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry, discover
from servey_cdk.tokens import TokenSettings, issue_token
from tests import servers

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = Path(__file__).parent.parent / "events"
PASSWORD = "let-me-in"


@contextlib.contextmanager
def servey_local(password: str, output: int | IO[bytes]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`servey-local --app sample_app` with the debug password, printing to `output`."""
    environment = {"SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": password}
    with servers.servey_local(["--app", "sample_app"], environment, output) as started:
        yield started


@pytest.fixture
def recorded_event() -> Callable[[str], Any]:
    """A fresh copy of a recorded AWS event, by its file name."""
    return lambda name: json.loads((EVENTS / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover("sample_app")


@pytest.fixture(scope="session")
def spec(registry: Registry) -> AppSpec:
    return build_spec(registry)


@pytest.fixture
def lambda_app(registry: Registry) -> LambdaApp:
    return LambdaApp(registry, connections=InMemoryConnectionStore())


@pytest.fixture
def runtime(spec: AppSpec, lambda_app: LambdaApp) -> LocalRuntime:
    assert lambda_app.connections is not None
    return LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password=PASSWORD)


@pytest.fixture
def client(runtime: LocalRuntime) -> Iterator[TestClient]:
    with TestClient(runtime.app) as test_client:
        yield test_client


@pytest.fixture
def make_token() -> Callable[..., str]:
    """Tokens the sample app's handler accepts (both use this process's token settings)."""
    return lambda *scopes, subject="tester": issue_token(
        TokenSettings.from_environment(), subject, set(scopes)
    )


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext("router", memory_limit_in_mb=256, timeout_s=30)
