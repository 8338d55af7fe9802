"""The debug login and the offline documentation pages."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from local_runtime.login import DebugLogin, debug_password
from servey_cdk.tokens import TokenSettings, verify_token


def test_GIVEN_the_password_WHEN_logging_in_THEN_a_bearer_token_with_the_scopes_is_issued(
    client: TestClient,
) -> None:
    response = client.post("/login", data={"username": "dev", "password": "let-me-in", "scope": "root"})
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", TokenSettings.from_environment().lifetime_s)
    authorization = verify_token(TokenSettings.from_environment(), body["access_token"])
    assert (authorization.subject_id, authorization.scopes) == ("dev", frozenset({"root"}))


def test_GIVEN_a_login_token_WHEN_calling_a_scoped_action_THEN_it_is_allowed(client: TestClient) -> None:
    access = client.post("/login", data={"username": "dev", "password": "let-me-in", "scope": "root"}).json()
    response = client.get(
        "/actions/only-for-root", headers={"Authorization": f"Bearer {access['access_token']}"}
    )
    assert response.json() == "Some Secret Data!"


def test_GIVEN_a_wrong_password_WHEN_logging_in_THEN_401(client: TestClient) -> None:
    response = client.post("/login", data={"username": "dev", "password": "guess"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_GIVEN_no_user_name_WHEN_logging_in_THEN_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/login", data={"password": "let-me-in"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["form", "username"]


def test_GIVEN_the_password_variable_WHEN_starting_THEN_it_is_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", "from-env")
    assert debug_password() == "from-env"


def test_GIVEN_no_password_variable_WHEN_starting_THEN_the_password_is_random(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", raising=False)
    assert debug_password() != debug_password()
    assert DebugLogin(TokenSettings.from_environment(), debug_password()).password


def test_GIVEN_the_openapi_document_WHEN_served_THEN_its_tokens_come_from_the_login(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    flow = document["components"]["securitySchemes"]["bearer"]["flows"]["password"]
    scopes = {"items:write": "items:write", "messages:send": "messages:send", "root": "root"}
    assert flow == {"tokenUrl": "/login", "scopes": scopes}
    assert document["paths"]["/actions/only-for-root"]["get"]["security"] == [{"bearer": []}]


@pytest.mark.parametrize(
    "path",
    [
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-ui.css",
        "/graphiql/static/graphiql.min.js",
        "/graphiql/static/graphiql.min.css",
        "/graphiql/static/react.production.min.js",
        "/graphiql/static/react-dom.production.min.js",
    ],
)
def test_GIVEN_the_docs_WHEN_their_files_are_requested_THEN_they_are_served_locally(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.content) > 10_000


@pytest.mark.parametrize(("page", "script"), [("/docs", "/docs/static/"), ("/graphiql", "/graphiql/static/")])
def test_GIVEN_a_docs_page_WHEN_served_THEN_it_loads_nothing_from_elsewhere(
    client: TestClient, page: str, script: str
) -> None:
    html = client.get(page).text
    assert script in html
    assert "http://" not in html
    assert "https://" not in html


def test_GIVEN_the_asyncapi_document_WHEN_served_THEN_it_describes_the_subscriptions(
    client: TestClient,
) -> None:
    document = client.get("/asyncapi.json").json()
    assert document["asyncapi"].startswith("3.")
    assert "messager" in str(document["components"]["messages"])


@pytest.mark.parametrize("page", ["/docs", "/graphiql"])
def test_GIVEN_a_docs_page_with_a_trailing_slash_WHEN_requested_THEN_it_redirects_to_the_page(
    client: TestClient, page: str
) -> None:
    response = client.get(page + "/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (308, page)
    assert client.get(page + "/").status_code == 200
