"""The token-issuing action end to end: log in, get a token, call a protected action with it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.login import DebugAuthenticator
from sample_app.accounts import accounts
from sample_app.security import echo_authorization
from servey_cdk import Credentials, Identity, token_action
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event, registry_of

from .keys import FakeKms, hs256_mode, kms_mode

TOKEN_PATH = "/actions/issue-account-token"


@pytest.fixture
def user() -> str:
    """A user of the sample app's account table holding `root` and `reader`, password 'hunter2'."""
    name = f"user-{uuid.uuid4().hex[:8]}"
    accounts.add(name, "hunter2", {"root", "reader"})
    return name


@pytest.fixture
def client(sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms) -> TestClient:
    hs256_mode(monkeypatch, spare_kms)
    app = LambdaApp(sample_registry, connections=InMemoryConnectionStore())
    assert app.connections is not None
    return TestClient(
        LocalRuntime(build_spec(sample_registry), app.handle, app.connections, password="pw").app
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_GIVEN_a_user_WHEN_logging_in_locally_THEN_the_token_opens_a_protected_action(
    client: TestClient, user: str
) -> None:
    login = client.post(TOKEN_PATH, json={"username": user, "password": "hunter2"})
    assert login.status_code == 200
    body = login.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
    protected = client.get("/actions/only-for-root", headers=bearer(body["access_token"]))
    assert (protected.status_code, protected.json()) == (200, "Some Secret Data!")


def test_GIVEN_a_user_WHEN_asking_for_fewer_scopes_THEN_the_token_holds_only_those(
    client: TestClient, user: str
) -> None:
    login = client.post(TOKEN_PATH, json={"username": user, "password": "hunter2", "scope": "reader admin"})
    token = login.json()["access_token"]
    echoed = client.get("/actions/echo-authorization", headers=bearer(token)).json()
    assert (echoed["subject_id"], echoed["scopes"]) == (user, ["reader"])
    assert client.get("/actions/only-for-root", headers=bearer(token)).status_code == 403


@pytest.mark.parametrize("username", ["known", "unknown"])
def test_GIVEN_a_wrong_password_or_user_WHEN_logging_in_THEN_401_saying_no_more(
    client: TestClient, user: str, username: str
) -> None:
    name = user if username == "known" else "nobody"
    response = client.post(TOKEN_PATH, json={"username": name, "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong user name or password"


def test_GIVEN_another_grant_type_WHEN_logging_in_THEN_422_naming_the_field(
    client: TestClient, user: str
) -> None:
    response = client.post(
        TOKEN_PATH, json={"username": user, "password": "hunter2", "grant_type": "client_credentials"}
    )
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["grant_type"]]


def test_GIVEN_no_password_WHEN_logging_in_THEN_422_naming_the_field(client: TestClient) -> None:
    response = client.post(TOKEN_PATH, json={"username": "alice"})
    assert response.status_code == 422
    assert "password" in json.dumps(response.json())


def post_event(body: dict[str, Any]) -> Any:
    event = load_event("apigw_rest_post_json")
    event["resource"] = event["path"] = TOKEN_PATH
    event["body"] = json.dumps(body)
    return event


def test_GIVEN_a_function_configured_for_kms_WHEN_a_user_logs_in_THEN_kms_signs_a_token_its_functions_accept(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms, user: str
) -> None:
    kms = FakeKms()
    kms_mode(monkeypatch, kms, spare_kms)
    issuer, protected = (
        LambdaApp(sample_registry, "issue_account_token"),
        LambdaApp(sample_registry, "only_for_root"),
    )

    login = issuer.handle(post_event({"username": user, "password": "hunter2"}), FakeLambdaContext())
    token = json.loads(login["body"])["access_token"]
    event = load_event("apigw_rest_authorization")
    event["resource"] = event["path"] = "/actions/only-for-root"
    event["headers"]["Authorization"] = f"Bearer {token}"
    answer = protected.handle(event, FakeLambdaContext())

    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": kms.key_id}
    assert kms.calls == ["Sign", "GetPublicKey"]
    assert (answer["statusCode"], json.loads(answer["body"])) == (200, "Some Secret Data!")


def test_GIVEN_the_sample_app_WHEN_its_spec_is_built_THEN_only_the_token_action_issues_tokens(
    sample_registry: Registry,
) -> None:
    spec = build_spec(sample_registry)
    assert [action.name for action in spec.actions if action.issues_tokens] == ["issue_account_token"]


def test_GIVEN_an_app_that_only_issues_tokens_WHEN_deployed_THEN_it_still_gets_a_signing_key() -> None:
    from constructs_lib.auth import needs_token_key

    login = token_action(DebugAuthenticator("pw"))
    spec = build_spec(registry_of(login, echo_authorization))
    assert not spec.auth.token_required
    assert needs_token_key(spec)


def test_GIVEN_the_debug_authenticator_WHEN_asked_THEN_the_one_password_grants_the_requested_scopes() -> None:
    debug = DebugAuthenticator("open-sesame")
    assert debug.authenticate(Credentials("eve", "open-sesame", frozenset({"root"}))) == Identity(
        "eve", frozenset({"root"})
    )
    assert debug.authenticate(Credentials("eve", "guess", frozenset({"root"}))) is None


def test_GIVEN_the_debug_authenticator_behind_a_token_action_WHEN_invoked_THEN_it_issues_a_token(
    monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms
) -> None:
    hs256_mode(monkeypatch, spare_kms)
    app = LambdaApp(registry_of(token_action(DebugAuthenticator("pw"), name="debug_login")))
    answer = app.handle(
        {"action": "debug_login", "params": {"username": "eve", "password": "pw", "scope": "root"}},
        FakeLambdaContext(),
    )
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["scope"], claims["iss"], claims["aud"]) == (
        "eve",
        "root",
        "servey",
        "servey",
    )
    assert set(claims) >= {"iat", "nbf", "exp"}


def test_GIVEN_an_oauth2_form_WHEN_a_user_logs_in_on_lambda_THEN_a_token_is_issued(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms, user: str
) -> None:
    hs256_mode(monkeypatch, spare_kms)
    event = post_event({})
    event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    event["body"] = f"grant_type=password&username={user}&password=hunter2&scope=reader"
    answer = LambdaApp(sample_registry, "issue_account_token").handle(event, FakeLambdaContext())
    assert answer["statusCode"] == 200
    token = json.loads(answer["body"])["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["scope"] == "reader"
