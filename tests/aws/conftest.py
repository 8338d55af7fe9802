"""Fixtures for the Lambda runtime: a fixed token key, and the sample app as router and default handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servey_cdk.aws.handler import LambdaApp, reset_default_app
from servey_cdk.discovery import Registry
from servey_cdk.local_aws.backend import LocalResources
from tests.conftest import SECRET


@pytest.fixture(autouse=True)
def token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)


@pytest.fixture
def app(sample_registry: Registry, sample_aws: LocalResources | None) -> LambdaApp:
    """The sample app as a router: every action in one function, its resources local."""
    return LambdaApp(sample_registry)


@pytest.fixture
def default_app(monkeypatch: pytest.MonkeyPatch, sample_aws: LocalResources | None) -> Iterator[None]:
    """The module-level handler, discovering the sample app from the environment."""
    monkeypatch.setenv("SERVEY_ACTION_PATH", "sample_app")
    monkeypatch.delenv("SERVEY_FUNCTION", raising=False)
    reset_default_app()
    yield
    reset_default_app()
