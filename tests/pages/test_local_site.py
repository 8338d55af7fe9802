"""The site as servey-local serves it: pages through the handler, static files, the SPA fallback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from servey_cdk.site import IMMUTABLE
from tests.conftest import REPO_ROOT

STATIC = REPO_ROOT / "sample_app" / "static"


def _hashed_script() -> str:
    (script,) = (path.name for path in STATIC.glob("catalogue.*.js"))
    return script


def test_GIVEN_the_emulator_WHEN_a_page_is_requested_THEN_the_handler_renders_it(client: TestClient) -> None:
    response = client.get("/catalogue")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<li data-item-id="42">' in response.text


def test_GIVEN_the_emulator_WHEN_a_redirect_is_returned_THEN_it_reaches_the_browser(
    client: TestClient,
) -> None:
    response = client.get("/shop", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/catalogue")


def test_GIVEN_the_emulator_WHEN_a_protected_page_is_requested_without_a_token_THEN_a_401_page(
    client: TestClient,
) -> None:
    response = client.get("/secret-page")
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")
    assert response.headers["content-type"].startswith("text/html")


def test_GIVEN_a_content_hashed_file_WHEN_served_THEN_browsers_keep_it_for_a_year(client: TestClient) -> None:
    response = client.get(f"/static/{_hashed_script()}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"


def test_GIVEN_a_file_without_a_hash_WHEN_served_THEN_it_is_revalidated_on_each_use(
    client: TestClient,
) -> None:
    response = client.get("/static/styles.css")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


def test_GIVEN_a_static_file_WHEN_served_THEN_it_carries_the_security_headers(client: TestClient) -> None:
    headers = client.get("/static/styles.css").headers
    assert (headers["x-content-type-options"], headers["x-frame-options"]) == ("nosniff", "DENY")
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_GIVEN_the_site_root_WHEN_requested_THEN_static_index_html_is_shown(client: TestClient) -> None:
    response = client.get("/")
    assert (response.status_code, response.text) == (200, (STATIC / "index.html").read_text())


@pytest.mark.parametrize(
    ("path", "key"),
    [("/some/client/route", "some/client/route"), ("/static/missing.js", "static/missing.js")],
)
def test_GIVEN_no_spa_fallback_WHEN_a_missing_key_is_requested_THEN_s3s_404(
    client: TestClient, path: str, key: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/xml"
    assert "<Code>NoSuchKey</Code>" in response.text
    assert f"<Key>{key}</Key>" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/some/page", "/static/styles.css"])
def test_GIVEN_a_post_to_a_site_path_WHEN_requested_THEN_cloudfronts_403(
    client: TestClient, path: str
) -> None:
    response = client.post(path)
    assert response.status_code == 403
    assert "not configured to allow the HTTP request method" in response.text


@pytest.fixture
def spa_client(
    sample_registry: Registry, lambda_app: LambdaApp, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("SERVEY_SPA_FALLBACK", "1")
    assert lambda_app.connections is not None
    spec = build_spec(sample_registry, BuildSettings.from_environment())
    runtime = LocalRuntime(spec, lambda_app.handle, lambda_app.connections)
    with TestClient(runtime.app) as test_client:
        yield test_client


def test_GIVEN_an_spa_fallback_WHEN_an_unknown_path_is_requested_THEN_index_html_is_shown(
    spa_client: TestClient,
) -> None:
    response = spa_client.get("/some/client/route")
    assert (response.status_code, response.text) == (200, (STATIC / "index.html").read_text())
    assert response.headers["cache-control"] == "no-cache"


def test_GIVEN_an_spa_fallback_WHEN_an_api_path_is_requested_THEN_the_api_answers(
    spa_client: TestClient,
) -> None:
    assert spa_client.get("/items/42").json()["name"] == "Answer"
    assert spa_client.get("/items/7").status_code == 404  # the API's own 404, not the fallback


def test_GIVEN_an_spa_fallback_WHEN_a_missing_static_file_is_requested_THEN_404(
    spa_client: TestClient,
) -> None:
    assert spa_client.get("/static/missing.js").status_code == 404
