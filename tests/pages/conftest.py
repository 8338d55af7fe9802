"""Fixtures for pages and the static site: the sample app's handler, recorded page events, the emulator."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry, discover
from servey_cdk.tokens import TokenSettings, issue_token

EVENTS = Path(__file__).parent.parent / "events"
SECRET = "test-secret-key-of-sufficient-length-for-hs256"
Page = Callable[..., dict[str, Any]]


class Context:
    function_name = "router"
    aws_request_id = "6f1b2c3d-0000-4000-8000-0000000000aa"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:router"
    function_version = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture(autouse=True)
def token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)
    monkeypatch.delenv("SERVEY_SPA_FALLBACK", raising=False)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover("sample_app")


@pytest.fixture
def lambda_app(registry: Registry) -> LambdaApp:
    return LambdaApp(registry, connections=InMemoryConnectionStore())


def recorded(name: str) -> Any:
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


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
        event = recorded("apigw_rest_path_param")
        event.update(resource=resource, path=path or resource, httpMethod="GET", pathParameters=path_params)
        event["requestContext"].update(resourcePath=resource, path=f"/prod{path or resource}")
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = query and {k: [v] for k, v in query.items()}
        if token:
            event["headers"]["Authorization"] = f"Bearer {token}"
            event["multiValueHeaders"]["Authorization"] = [f"Bearer {token}"]
        result: dict[str, Any] = lambda_app.handle(event, Context())
        return result

    return request


@pytest.fixture
def make_token() -> Callable[..., str]:
    settings = TokenSettings.from_environment
    return lambda *scopes, subject="tester": issue_token(settings(), subject, set(scopes))


@pytest.fixture
def client(registry: Registry, lambda_app: LambdaApp) -> Iterator[TestClient]:
    """The emulator of the sample app, as servey-local serves it."""
    assert lambda_app.connections is not None
    runtime = LocalRuntime(build_spec(registry), lambda_app.handle, lambda_app.connections)
    with TestClient(runtime.app) as test_client:
        yield test_client
