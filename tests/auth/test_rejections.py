"""Every bad token is refused with 401 and the same safe reason: REST and GraphQL, locally and on AWS.

Each test runs twice, with functions verifying local HS256 tokens and with functions
verifying KMS-signed RS256 tokens (`key_mode`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests.conftest import SECRET, FakeLambdaContext, load_event

from .keys import REJECTIONS, KeyMode, claims, rejected_token

CASES = sorted(REJECTIONS)


@pytest.fixture(scope="module")
def spec(sample_registry: Registry) -> AppSpec:
    return build_spec(sample_registry)


@pytest.fixture
def lambda_app(sample_registry: Registry, key_mode: KeyMode, monkeypatch: pytest.MonkeyPatch) -> LambdaApp:
    """The sample app's router, made after `key_mode` configured the environment.

    A service name of its own makes its Powertools Logger here, writing to this test's stdout.
    """
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")
    return LambdaApp(sample_registry, connections=InMemoryConnectionStore())


@pytest.fixture
def client(spec: AppSpec, lambda_app: LambdaApp) -> TestClient:
    assert lambda_app.connections is not None
    return TestClient(LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password="pw").app)


def assert_refused_safely(body: dict[str, Any], token: str, reason: str) -> None:
    assert body["error"] == "unauthorized"
    assert reason in body["detail"]
    text = json.dumps(body)
    assert token not in text
    assert SECRET not in text


def rest_event(token: str) -> Any:
    event = load_event("apigw_rest_authorization")
    event["resource"] = event["path"] = "/actions/only-for-root"
    event["headers"]["Authorization"] = f"Bearer {token}"
    return event


def test_GIVEN_a_valid_token_WHEN_calling_a_protected_action_THEN_both_apis_accept_it(
    key_mode: KeyMode, client: TestClient, lambda_app: LambdaApp
) -> None:
    token = key_mode.sign(claims(), {})
    local = client.get("/actions/only-for-root", headers={"Authorization": f"Bearer {token}"})
    on_aws = lambda_app.handle(rest_event(token), FakeLambdaContext())
    assert (local.status_code, local.json()) == (200, "Some Secret Data!")
    assert (on_aws["statusCode"], json.loads(on_aws["body"])) == (200, "Some Secret Data!")


@pytest.mark.parametrize("case", CASES)
def test_GIVEN_a_bad_token_WHEN_calling_the_local_rest_api_THEN_401_with_a_safe_reason(
    case: str, key_mode: KeyMode, client: TestClient
) -> None:
    token, reason = rejected_token(case, key_mode)
    response = client.get("/actions/only-for-root", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert_refused_safely(response.json(), token, reason)


@pytest.mark.parametrize("case", CASES)
def test_GIVEN_a_bad_token_WHEN_a_recorded_rest_event_carries_it_THEN_401_with_a_safe_reason(
    case: str, key_mode: KeyMode, lambda_app: LambdaApp
) -> None:
    token, reason = rejected_token(case, key_mode)
    answer = lambda_app.handle(rest_event(token), FakeLambdaContext())
    assert answer["statusCode"] == 401
    assert_refused_safely(json.loads(answer["body"]), token, reason)


@pytest.mark.parametrize("case", CASES)
def test_GIVEN_a_bad_token_WHEN_querying_the_local_graphql_api_THEN_appsyncs_401(
    case: str, key_mode: KeyMode, client: TestClient
) -> None:
    token, _ = rejected_token(case, key_mode)
    response = client.post(
        "/graphql", json={"query": "{ only_for_root }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorType"] == "UnauthorizedException"


@pytest.mark.parametrize("case", CASES)
def test_GIVEN_a_bad_token_WHEN_the_recorded_authorizer_event_carries_it_THEN_refused_for_the_reason(
    case: str, key_mode: KeyMode, lambda_app: LambdaApp, capsys: pytest.CaptureFixture[str]
) -> None:
    token, reason = rejected_token(case, key_mode)
    event = load_event("appsync_authorizer")
    event["authorizationToken"] = event["requestHeaders"]["authorization"] = f"Bearer {token}"
    assert lambda_app.handle(event, FakeLambdaContext()) == {"isAuthorized": False}
    logged = capsys.readouterr().out
    assert reason in logged
    assert token not in logged


def test_GIVEN_a_valid_token_WHEN_the_recorded_authorizer_event_carries_it_THEN_its_claims_pass_on(
    key_mode: KeyMode, lambda_app: LambdaApp
) -> None:
    event = load_event("appsync_authorizer")
    event["authorizationToken"] = f"Bearer {key_mode.sign(claims(sub='carol'), {})}"
    answer = lambda_app.handle(event, FakeLambdaContext())
    assert answer["isAuthorized"] is True
    assert (answer["resolverContext"]["sub"], answer["resolverContext"]["scope"]) == ("carol", "root")


@pytest.mark.parametrize("case", ["bad signature", "another key", "expired"])
def test_GIVEN_a_bad_token_WHEN_a_websocket_connects_with_it_THEN_401(
    case: str, key_mode: KeyMode, lambda_app: LambdaApp
) -> None:
    token, reason = rejected_token(case, key_mode)
    event = load_event("websocket_connect")
    event["queryStringParameters"] = {"token": token}
    answer = lambda_app.handle(event, FakeLambdaContext())
    assert answer["statusCode"] == 401
    assert_refused_safely(json.loads(answer["body"]), token, reason)


@pytest.mark.parametrize("case", ["alg none", "another key", "wrong aud"])
def test_GIVEN_a_bad_token_WHEN_directly_invoked_with_it_THEN_a_typed_401(
    case: str, key_mode: KeyMode, lambda_app: LambdaApp
) -> None:
    token, reason = rejected_token(case, key_mode)
    answer = lambda_app.handle({"action": "only_for_root", "params": {}, "token": token}, FakeLambdaContext())
    assert answer["errorType"] == "Unauthorized"
    assert_refused_safely(answer, token, reason)


def test_GIVEN_a_signed_token_WHEN_directly_invoked_with_it_THEN_the_action_runs_for_its_subject(
    key_mode: KeyMode, lambda_app: LambdaApp
) -> None:
    token = key_mode.sign(claims(sub="dave", scope="root"), {})
    assert lambda_app.handle({"action": "only_for_root", "token": token}, FakeLambdaContext()) == (
        "Some Secret Data!"
    )
    echoed = lambda_app.handle({"action": "echo_authorization", "token": token}, FakeLambdaContext())
    assert echoed["subject_id"] == "dave"
