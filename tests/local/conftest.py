from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec, build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry, discover
from servey_cdk.rehearsal.local_aws import free_port
from servey_cdk.tokens import TokenSettings, issue_token

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = Path(__file__).parent.parent / "events"
PASSWORD = "let-me-in"


@contextlib.contextmanager
def servey_local(password: str, output: int | IO[bytes]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`servey-local --app sample_app` as a developer starts it, on a free port: its base URL and process,
    once it answers. What it prints goes to `output`, with its errors."""
    port = free_port()
    env = {**os.environ, "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": password, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-c", "from local_runtime.cli import main; main()", "--app", "sample_app"]
    process = subprocess.Popen(
        [*command, "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "servey-local exited"
            assert time.monotonic() < deadline, "servey-local did not start in 30 s"
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


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
