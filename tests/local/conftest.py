"""Fixtures of the emulator's tests: servey-local in a process of its own, or in this one."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from typing import IO

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests import servers

PASSWORD = "let-me-in"


@contextlib.contextmanager
def servey_local(password: str, output: int | IO[bytes]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`servey-local --app sample_app` with the debug password, printing to `output`."""
    environment = {"SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": password}
    with servers.servey_local(["--app", "sample_app"], environment, output) as started:
        yield started


@pytest.fixture(scope="session")
def spec(sample_registry: Registry) -> AppSpec:
    return build_spec(sample_registry)


@pytest.fixture
def lambda_app(sample_registry: Registry) -> LambdaApp:
    """The sample app's router; the runtime made of it backs its resources with a local AWS of its own."""
    return LambdaApp(sample_registry, connections=InMemoryConnectionStore())


@pytest.fixture
def runtime(spec: AppSpec, lambda_app: LambdaApp) -> LocalRuntime:
    assert lambda_app.connections is not None
    return LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password=PASSWORD)


@pytest.fixture
def client(runtime: LocalRuntime) -> Iterator[TestClient]:
    with TestClient(runtime.app) as test_client:
        yield test_client


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext("router", memory_limit_in_mb=256, timeout_s=30)
