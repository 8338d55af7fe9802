"""Fixtures for pages and the static site: a fixed token key, page requests to the handler, the emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from tests.conftest import SECRET, FakeLambdaContext, load_event

Page = Callable[..., dict[str, Any]]


@pytest.fixture(autouse=True)
def token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)
    monkeypatch.delenv("SERVEY_SPA_FALLBACK", raising=False)


@pytest.fixture
def rest_page(lambda_app: LambdaApp) -> Page:
    """A page requested with the recorded REST (v1) proxy event, its route and parameters replaced."""

    def request(
        resource: str,
        path: str | None = None,
        query: dict[str, str] | None = None,
        path_params: dict[str, str] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        event = load_event("apigw_rest_path_param")
        event.update(resource=resource, path=path or resource, httpMethod="GET", pathParameters=path_params)
        event["requestContext"].update(resourcePath=resource, path=f"/prod{path or resource}")
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = query and {k: [v] for k, v in query.items()}
        if token:
            event["headers"]["Authorization"] = f"Bearer {token}"
            event["multiValueHeaders"]["Authorization"] = [f"Bearer {token}"]
        result: dict[str, Any] = lambda_app.handle(event, FakeLambdaContext())
        return result

    return request


@pytest.fixture
def client(sample_registry: Registry, lambda_app: LambdaApp) -> Iterator[TestClient]:
    """The emulator of the sample app, as servey-local serves it."""
    assert lambda_app.connections is not None
    runtime = LocalRuntime(build_spec(sample_registry), lambda_app.handle, lambda_app.connections)
    with TestClient(runtime.app) as test_client:
        yield test_client
