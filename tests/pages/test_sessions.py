"""Browser sessions: a login form gets an HttpOnly cookie that page routes, and only they, accept.

GIVEN the sample app's token action and its protected page, through the Lambda handler
WHEN a browser posts the login form, opens the page with the cookie, and logs out
THEN the cookie is set and cleared as a session cookie should be, forged cross-site
posts are refused, and routes other than pages ignore the cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from sample_app.accounts import accounts
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.session import SESSION_COOKIE
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event
from tests.pages.conftest import Page

LOGIN = "/actions/issue-account-token"
USER, PASSWORD = "browser-user", "correct horse"


@pytest.fixture(autouse=True)
def user() -> None:
    accounts.add(USER, PASSWORD, {"root"})


def form_post(
    app: LambdaApp, fields: dict[str, str], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event = load_event("apigw_rest_post_json")
    event.update(resource=LOGIN, path=LOGIN, body=urlencode(fields), isBase64Encoded=False)
    event["headers"].update({"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    answer: dict[str, Any] = app.handle(event, FakeLambdaContext())
    return answer


def login(app: LambdaApp, headers: dict[str, str] | None = None) -> dict[str, Any]:
    fields = {"username": USER, "password": PASSWORD, "scope": "root", "redirect_to": "/secret-page"}
    return form_post(app, fields, {"Sec-Fetch-Site": "same-origin", **(headers or {})})


def cookie_of(answer: dict[str, Any]) -> str:
    return str(answer["headers"]["Set-Cookie"]).partition(";")[0].partition("=")[2]


def test_GIVEN_a_login_form_WHEN_posted_THEN_303_and_an_httponly_secure_lax_cookie(
    lambda_app: LambdaApp,
) -> None:
    answer = login(lambda_app)
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == "/secret-page"
    cookie = answer["headers"]["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=ey")
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/"} <= {part.strip() for part in cookie.split(";")}


def test_GIVEN_a_login_on_loopback_THEN_the_cookie_is_not_secure(lambda_app: LambdaApp) -> None:
    cookie = login(lambda_app, {"Host": "127.0.0.1:8000"})["headers"]["Set-Cookie"]
    assert "Secure" not in cookie


def test_GIVEN_the_session_cookie_WHEN_the_protected_page_is_requested_THEN_it_opens(
    lambda_app: LambdaApp, rest_page: Page
) -> None:
    token = cookie_of(login(lambda_app))
    event = load_event("apigw_rest_path_param")
    event.update(resource="/secret-page", path="/secret-page", httpMethod="GET", pathParameters=None)
    event["headers"]["Cookie"] = f"theme=dark; {SESSION_COOKIE}={token}"
    answer = lambda_app.handle(event, FakeLambdaContext())
    assert answer["statusCode"] == 200
    assert f"Shown to {USER}." in answer["body"]


def test_GIVEN_an_http_api_page_request_THEN_the_cookie_is_read_from_its_cookies_list(
    lambda_app: LambdaApp,
) -> None:
    token = cookie_of(login(lambda_app))
    event = load_event("apigw_http_path_param")
    event.update(routeKey="GET /secret-page", rawPath="/secret-page", pathParameters=None)
    event["cookies"] = [f"{SESSION_COOKIE}={token}"]
    answer = lambda_app.handle(event, FakeLambdaContext())
    assert answer["statusCode"] == 200


def test_GIVEN_a_route_that_is_not_a_page_THEN_it_ignores_the_cookie(lambda_app: LambdaApp) -> None:
    token = cookie_of(login(lambda_app))
    event = load_event("apigw_rest_path_param")
    path = "/actions/only-for-root"
    event.update(resource=path, path=path, httpMethod="GET", pathParameters=None)
    event["headers"]["Cookie"] = f"{SESSION_COOKIE}={token}"
    assert lambda_app.handle(event, FakeLambdaContext())["statusCode"] == 401


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}])
def test_GIVEN_a_login_posted_from_another_site_THEN_it_is_refused(
    lambda_app: LambdaApp, headers: dict[str, str]
) -> None:
    fields = {"username": USER, "password": PASSWORD, "redirect_to": "/secret-page"}
    answer = form_post(lambda_app, fields, headers)
    assert answer["statusCode"] == 403
    assert "Set-Cookie" not in answer["headers"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "secret-page"])
def test_GIVEN_a_redirect_to_that_is_no_path_of_this_site_THEN_422(
    lambda_app: LambdaApp, target: str
) -> None:
    fields = {"username": USER, "password": PASSWORD, "redirect_to": target}
    assert form_post(lambda_app, fields, {"Sec-Fetch-Site": "same-origin"})["statusCode"] == 422


def test_GIVEN_wrong_credentials_THEN_no_cookie_is_set(lambda_app: LambdaApp) -> None:
    fields = {"username": USER, "password": "wrong", "redirect_to": "/secret-page"}
    answer = form_post(lambda_app, fields, {"Sec-Fetch-Site": "same-origin"})
    assert answer["statusCode"] == 401
    assert "Set-Cookie" not in answer["headers"]


def test_GIVEN_a_logout_form_WHEN_posted_THEN_the_cookie_is_cleared(lambda_app: LambdaApp) -> None:
    answer = form_post(lambda_app, {"logout": "1", "redirect_to": "/"}, {"Sec-Fetch-Site": "same-origin"})
    assert answer["statusCode"] == 303
    assert answer["headers"]["Set-Cookie"].startswith(f"{SESSION_COOKIE}=; Max-Age=0;")


@pytest.fixture
def local(sample_registry: Registry, lambda_app: LambdaApp) -> Iterator[TestClient]:
    """servey-local over the sample app, on loopback (where the cookie is not `Secure`)."""
    runtime = LocalRuntime(
        build_spec(sample_registry), lambda_app.handle, lambda_app.connections, password="pw"
    )
    with TestClient(runtime.app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def test_GIVEN_servey_locals_login_page_THEN_it_posts_a_session_login_back_to_next(local: TestClient) -> None:
    page = local.get("/login?next=/secret-page%22%3E")
    assert page.status_code == 200
    assert '<form id="login" method="post" action="/login">' in page.text
    assert 'name="redirect_to" value="/secret-page&quot;&gt;"' in page.text  # escaped, never markup


def test_GIVEN_servey_locals_login_THEN_the_protected_page_accepts_its_session(local: TestClient) -> None:
    form = {"username": "dev", "password": "pw", "scope": "root", "redirect_to": "/secret-page"}
    same_site = {"Sec-Fetch-Site": "same-origin"}
    answer = local.post("/login", data=form, headers=same_site, follow_redirects=False)
    assert answer.status_code == 303
    assert "HttpOnly" in answer.headers["set-cookie"]
    assert "Secure" not in answer.headers["set-cookie"]  # loopback: a plain-HTTP browser keeps it
    page = local.get("/secret-page")
    assert page.status_code == 200
    assert "Shown to dev." in page.text
    local.post("/login", data={"logout": "1"}, headers=same_site, follow_redirects=False)
    assert local.get("/secret-page").status_code == 401
