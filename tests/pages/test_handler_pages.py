"""Pages through the Lambda handler, replaying recorded API Gateway events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from servey_cdk import PageResponse, Redirect, WebPageTrigger, action
from servey_cdk.action import get_action
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event
from tests.pages.conftest import Page

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def test_GIVEN_the_seed_page_WHEN_requested_THEN_its_template_shows_the_model(rest_page: Page) -> None:
    response = rest_page("/current-time-page")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>The current time is 20" in response["body"]


def test_GIVEN_a_page_WHEN_answered_THEN_it_carries_the_security_headers(rest_page: Page) -> None:
    headers = rest_page("/current-time-page")["headers"]
    assert SECURITY_HEADERS.items() <= headers.items()


def test_GIVEN_a_page_of_another_actions_results_WHEN_requested_THEN_it_lists_them(rest_page: Page) -> None:
    body = rest_page("/catalogue")["body"]
    assert '<li data-item-id="42">Answer: 4.20</li>' in body


def test_GIVEN_a_script_in_a_query_parameter_WHEN_rendered_THEN_it_is_escaped(rest_page: Page) -> None:
    body = rest_page("/catalogue", query={"tag": "<script>alert(1)</script>"})["body"]
    assert "<script>alert(1)" not in body
    assert "Items tagged &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_GIVEN_a_path_parameter_WHEN_rendered_THEN_the_template_sees_the_model(rest_page: Page) -> None:
    response = rest_page("/catalogue/{item_id}", "/catalogue/42", path_params={"item_id": "42"})
    assert (response["statusCode"], "<h1>Answer</h1>" in response["body"]) == (200, True)


def test_GIVEN_a_page_response_WHEN_returned_THEN_its_status_and_template_are_used(rest_page: Page) -> None:
    response = rest_page("/catalogue/{item_id}", "/catalogue/7", path_params={"item_id": "7"})
    assert response["statusCode"] == 404
    assert "<h1>No item 7</h1>" in response["body"]  # request.path_params, in the page response's template


def test_GIVEN_a_redirect_WHEN_returned_THEN_the_browser_is_sent_to_its_location(rest_page: Page) -> None:
    response = rest_page("/shop")
    assert (response["statusCode"], response["headers"]["Location"]) == (301, "/catalogue")


def test_GIVEN_a_protected_page_and_no_token_WHEN_requested_THEN_a_401_page_asks_for_one(
    rest_page: Page,
) -> None:
    response = rest_page("/secret-page")
    assert response["statusCode"] == 401
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert response["headers"]["WWW-Authenticate"] == "Bearer"
    assert "<h1>Unauthorized</h1>" in response["body"]


def test_GIVEN_a_protected_page_and_a_token_without_the_scope_WHEN_requested_THEN_a_403_page(
    rest_page: Page, make_token: Callable[..., str]
) -> None:
    response = rest_page("/secret-page", token=make_token("reader"))
    assert response["statusCode"] == 403
    assert "<h1>Forbidden</h1>" in response["body"]
    assert "WWW-Authenticate" not in response["headers"]


def test_GIVEN_a_protected_page_and_the_scope_WHEN_requested_THEN_the_template_sees_the_authorization(
    rest_page: Page, make_token: Callable[..., str]
) -> None:
    response = rest_page("/secret-page", token=make_token("root", subject="alice"))
    assert response["statusCode"] == 200
    assert "<p>Shown to alice.</p>" in response["body"]


def test_GIVEN_an_invalid_path_parameter_WHEN_requested_THEN_a_422_page_names_the_action(
    rest_page: Page,
) -> None:
    response = rest_page("/catalogue/{item_id}", "/catalogue/abc", path_params={"item_id": "abc"})
    assert response["statusCode"] == 422
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "invalid parameters for action &#x27;item_page&#x27;: item_id" in response["body"]


def test_GIVEN_an_http_api_event_WHEN_a_page_is_requested_THEN_it_is_rendered(lambda_app: LambdaApp) -> None:
    event = load_event("apigw_http_path_param")
    event.update(routeKey="GET /catalogue/{item_id}", rawPath="/catalogue/42")
    response = lambda_app.handle(event, FakeLambdaContext())
    assert (response["statusCode"], "<h1>Answer</h1>" in response["body"]) == (200, True)


# --- pages of a small app of their own -------------------------------------------------------------


@action(triggers=WebPageTrigger(path="/boom"))
def boom_page() -> str:
    raise RuntimeError("the database password is hunter2")


@action(triggers=WebPageTrigger(path="/raw"))
def raw_page() -> PageResponse:
    return PageResponse(body="<p>made by hand</p>", status=202, headers={"X-Page": "raw"})


@action(triggers=WebPageTrigger(path="/lost-template", template="templates/missing.j2"))
def lost_template_page() -> str:
    return "never shown"


def _own_app(tmp_path: Path) -> LambdaApp:
    """An app of these pages, whose root (where templates are looked up) is empty."""
    pages = (boom_page, raw_page, lost_template_page)
    actions = tuple(found for page in pages if (found := get_action(page)))
    return LambdaApp(Registry(module="t", root=tmp_path, actions=actions))


def _get(app: LambdaApp, path: str) -> dict[str, Any]:
    event = load_event("apigw_rest_say_hello")
    event.update(resource=path, path=path, queryStringParameters=None, multiValueQueryStringParameters=None)
    result: dict[str, Any] = app.handle(event, FakeLambdaContext())
    return result


def test_GIVEN_a_failing_page_action_WHEN_requested_THEN_a_500_page_tells_nothing_of_the_error(
    tmp_path: Path,
) -> None:
    response = _get(_own_app(tmp_path), "/boom")
    assert response["statusCode"] == 500
    assert "hunter2" not in response["body"]
    assert "action &#x27;boom_page&#x27; failed" in response["body"]


def test_GIVEN_a_page_response_with_a_body_WHEN_returned_THEN_it_is_sent_as_it_is(tmp_path: Path) -> None:
    response = _get(_own_app(tmp_path), "/raw")
    assert (response["statusCode"], response["body"]) == (202, "<p>made by hand</p>")
    assert response["headers"]["X-Page"] == "raw"


def test_GIVEN_a_template_gone_at_run_time_WHEN_requested_THEN_a_500_page(tmp_path: Path) -> None:
    response = _get(_own_app(tmp_path), "/lost-template")
    assert response["statusCode"] == 500
    assert "<title>500 Internal Server Error</title>" in response["body"]


def test_GIVEN_a_redirect_status_that_is_not_one_WHEN_made_THEN_it_is_refused() -> None:
    with pytest.raises(ValueError, match="not 200"):
        Redirect("/elsewhere", status=200)


def test_GIVEN_a_page_response_with_a_body_and_a_model_WHEN_made_THEN_it_is_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        PageResponse({"a": 1}, body="<p>a</p>")
