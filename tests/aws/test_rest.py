"""API Gateway REST (v1) and HTTP API (v2) events through the Lambda handler."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, ConfigDict

from servey_cdk import WEB_GET, WebTrigger, action
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.http import MAX_BODY_BYTES, body_json
from servey_cdk.aws.request import HttpRequest
from servey_cdk.cache_control import etag
from servey_cdk.discovery import Registry
from tests.conftest import FakeLambdaContext, load_event, registry_of


def rest_event(resource: str, method: str = "GET", query: dict[str, list[str]] | None = None) -> Any:
    """The recorded say-hello event, sent to another resource."""
    event = load_event("apigw_rest_say_hello")
    event.update(resource=resource, path=resource, httpMethod=method)
    event["multiValueQueryStringParameters"] = query
    event["queryStringParameters"] = {name: values[-1] for name, values in query.items()} if query else None
    return event


def item_event(name: str, make_token: Callable[..., str]) -> Any:
    """A recorded `POST /items`, sent by an editor: adding items takes the `items:write` scope."""
    event = load_event(name)
    event["headers"]["Authorization"] = f"Bearer {make_token('items:write', subject='editor')}"
    return event


@action(triggers=WebTrigger("GET", "/tags"))
def count_tags(tag: list[str], filters: dict[str, int] | None = None) -> dict[str, Any]:
    return {"tags": tag, "filters": filters}


@action(triggers=WEB_GET)
def explode() -> str:
    raise RuntimeError("database password is hunter2")


@action(triggers=WEB_GET)
async def add_async(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def small_app() -> LambdaApp:
    return LambdaApp(registry_of(count_tags, explode, add_async))


def test_GIVEN_a_get_event_WHEN_handled_THEN_the_action_result_is_the_json_body(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_say_hello"), context)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    assert json.loads(response["body"]) == "Hello World!"


def test_GIVEN_a_get_event_WHEN_handled_THEN_cache_headers_come_from_the_action_and_the_body(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(rest_event("/actions/server-time"), context)
    assert response["headers"]["Cache-Control"] == "public, max-age=30"
    assert response["headers"]["ETag"] == etag(response["body"].encode())


def test_GIVEN_if_none_match_with_the_current_etag_WHEN_handled_THEN_304_with_an_empty_body(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    current = app.handle(load_event("apigw_rest_say_hello"), context)["headers"]["ETag"]
    event = load_event("apigw_rest_say_hello")
    event["headers"]["If-None-Match"] = current
    response = app.handle(event, context)
    assert (response["statusCode"], response["body"]) == (304, "")
    assert response["headers"]["ETag"] == current


def test_GIVEN_if_none_match_in_unusual_case_WHEN_handled_THEN_304(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    current = app.handle(load_event("apigw_rest_say_hello"), context)["headers"]["ETag"]
    event = load_event("apigw_rest_say_hello")
    event["headers"]["Cache-Control"] = "no-cache"  # as long as the name looked for, and not it
    event["headers"]["IF-NONE-MATCH"] = current
    assert app.handle(event, context)["statusCode"] == 304


def test_GIVEN_if_none_match_with_a_stale_etag_WHEN_handled_THEN_the_full_response(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_if_none_match"), context)
    assert response["statusCode"] == 200
    assert response["body"]


def test_GIVEN_a_repeated_query_parameter_WHEN_the_parameter_is_single_THEN_the_last_value_is_used(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_multi_value_query"), context)
    assert json.loads(response["body"]) == "Hello Again!"


def test_GIVEN_a_repeated_query_parameter_WHEN_the_parameter_is_a_list_THEN_it_takes_every_value(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = small_app.handle(rest_event("/tags", query={"tag": ["a", "b"]}), context)
    assert json.loads(response["body"])["tags"] == ["a", "b"]


def test_GIVEN_a_dict_typed_query_parameter_WHEN_handled_THEN_its_text_is_read_as_json(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = rest_event("/tags", query={"tag": ["a"], "filters": ['{"min": 2}']})
    response = small_app.handle(event, context)
    assert json.loads(response["body"])["filters"] == {"min": 2}


def test_GIVEN_a_query_parameter_that_is_not_json_WHEN_json_is_expected_THEN_422_naming_it(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = small_app.handle(rest_event("/tags", query={"tag": ["a"], "filters": ["{"]}), context)
    assert response["statusCode"] == 422
    assert json.loads(response["body"])["detail"][0]["loc"] == ["query", "filters"]


def test_GIVEN_a_path_parameter_WHEN_handled_THEN_it_is_coerced_to_the_declared_type(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_path_param"), context)
    assert json.loads(response["body"])["item_id"] == 42


def test_GIVEN_a_path_parameter_of_the_wrong_type_WHEN_handled_THEN_422_names_the_field(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_rest_path_param")
    event["pathParameters"] = {"item_id": "forty-two"}
    response = app.handle(event, context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 422
    assert (body["error"], body["detail"][0]["loc"]) == ("invalid_input", ["item_id"])


def test_GIVEN_a_json_body_for_a_model_parameter_WHEN_handled_THEN_the_body_is_that_parameter(
    app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str]
) -> None:
    response = app.handle(item_event("apigw_rest_post_json", make_token), context)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["name"] == "Widget"


def test_GIVEN_a_body_naming_the_parameter_WHEN_handled_THEN_the_body_is_the_parameters(
    app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str]
) -> None:
    event = item_event("apigw_rest_post_json", make_token)
    event["body"] = json.dumps({"item": {"name": "Named", "price": "1.00"}})
    response = app.handle(event, context)
    assert json.loads(response["body"])["name"] == "Named"


@pytest.mark.parametrize(
    "tags",
    [["a", "b"], ["[x]"] * 40, "not a list"],
    ids=["one-pass parse", "more brackets than the depth limit, in strings", "invalid"],
)
def test_GIVEN_a_json_body_WHEN_parsed_in_one_pass_or_by_python_THEN_the_answer_is_the_same(
    app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str], tags: Any
) -> None:
    """The body alone holds the parameters: pydantic's parser takes it in one pass unless it has
    more brackets than the depth limit or does not validate; `json` and a depth walk then decide."""
    event = item_event("apigw_rest_post_json", make_token)
    body = {"item": {"name": "Named", "price": "1.00", "tags": tags}}
    event["body"] = json.dumps(body)
    one_pass = app.handle(event, context)
    event["body"] = json.dumps(body, indent=1)  # the same JSON, parsed the same way
    event["queryStringParameters"] = {"unused": "1"}  # a query to merge: `json.loads`, then pydantic
    by_python = app.handle(event, context)

    for answer in (one_pass, by_python):
        answer["body"] = json.loads(answer["body"])
        answer["body"].pop("item_id", None)
        answer["body"].pop("created_at", None)
        answer["body"].pop("request_id", None)
    assert one_pass == by_python
    assert one_pass["statusCode"] == (422 if tags == "not a list" else 200)


class Note(BaseModel):
    title: str


class StrictRef(BaseModel):
    model_config = ConfigDict(strict=True)
    ref: UUID
    day: date


@action(triggers=WebTrigger("POST", "/notes"))
def keep_note(note: Note | None = None) -> str:
    return "none" if note is None else note.title


@action(triggers=WebTrigger("POST", "/refs"))
def take_ref(ref: StrictRef) -> str:
    return str(ref.day)


@pytest.mark.parametrize(
    ("path", "body", "status", "result"),
    [
        ("/notes", {"title": "hello"}, 200, "hello"),  # the body stands for the optional parameter
        ("/notes", {"note": {"title": "named"}}, 200, "named"),
        ("/refs", {"ref": {"ref": "6f1b2c3d-0000-4000-8000-000000000001", "day": "2026-12-02"}}, 422, None),
    ],
)
def test_GIVEN_bodies_pydantic_json_mode_would_read_otherwise_WHEN_posted_THEN_as_with_a_query_to_merge(
    context: FakeLambdaContext, path: str, body: Any, status: int, result: Any
) -> None:
    """An optional body parameter, and a strict model (whose UUID and date pydantic's JSON mode
    takes from text but its Python mode refuses), are read as a body with a query to merge is."""
    app = LambdaApp(registry_of(keep_note, take_ref))
    event = load_event("apigw_rest_post_json")
    event.update(resource=path, path=path, body=json.dumps(body))
    alone = app.handle(event, context)
    event["queryStringParameters"] = {"unused": "1"}
    merged = app.handle(event, context)
    for answer in (alone, merged):
        assert answer["statusCode"] == status
        if result is not None:
            assert json.loads(answer["body"]) == result


def test_GIVEN_a_post_WHEN_answered_THEN_it_has_no_etag_as_only_a_get_is_conditional(
    app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str]
) -> None:
    response = app.handle(item_event("apigw_rest_post_json", make_token), context)
    assert response["statusCode"] == 200
    assert "ETag" not in response["headers"]


def test_GIVEN_a_base64_body_WHEN_handled_THEN_it_is_decoded(
    app: LambdaApp, context: FakeLambdaContext, make_token: Callable[..., str]
) -> None:
    response = app.handle(item_event("apigw_rest_post_base64", make_token), context)
    assert json.loads(response["body"])["tags"] == ["a", "b"]


def test_GIVEN_a_body_that_is_not_json_WHEN_handled_THEN_422_names_the_body(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_rest_post_json")
    event["body"] = "{not json"
    response = app.handle(event, context)
    assert response["statusCode"] == 422
    assert json.loads(response["body"])["detail"][0]["loc"] == ["body"]


def test_GIVEN_a_body_over_the_lambda_limit_WHEN_handled_THEN_413(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_rest_post_json")
    event["body"] = " " * (MAX_BODY_BYTES + 1)
    assert app.handle(event, context)["statusCode"] == 413


def test_GIVEN_an_unknown_route_WHEN_handled_THEN_404_with_the_request_id(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_unknown_route"), context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 404
    assert (body["error"], body["request_id"]) == ("not_found", context.aws_request_id)


def test_GIVEN_a_known_path_WHEN_another_method_is_used_THEN_405_with_allow(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_rest_path_param")
    event["httpMethod"] = "PUT"
    response = app.handle(event, context)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET, DELETE, OPTIONS"


def test_GIVEN_a_preflight_request_WHEN_handled_THEN_204_with_cors_headers(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(rest_event("/actions/say-hello", method="OPTIONS"), context)
    assert response["statusCode"] == 204
    assert "GET" in response["headers"]["Access-Control-Allow-Methods"]


def test_GIVEN_a_cors_origin_in_the_environment_WHEN_handled_THEN_it_is_the_allowed_origin(
    sample_registry: Registry, context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_CORS_ORIGIN", "https://example.com")
    response = LambdaApp(sample_registry).handle(load_event("apigw_rest_say_hello"), context)
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://example.com"


def test_GIVEN_a_valid_bearer_token_WHEN_handled_THEN_the_action_receives_its_authorization(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    event = load_event("apigw_rest_authorization")
    event["headers"]["Authorization"] = f"Bearer {make_token('root', subject='alice')}"
    body = json.loads(app.handle(event, context)["body"])
    assert (body["subject_id"], body["scopes"]) == ("alice", ["root"])


def test_GIVEN_a_header_in_unusual_case_WHEN_handled_THEN_it_is_still_read(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    event = load_event("apigw_rest_authorization")
    del event["headers"]["Authorization"]
    event["headers"]["AUTHORIZATION"] = f"Bearer {make_token(subject='alice')}"
    assert json.loads(app.handle(event, context)["body"])["subject_id"] == "alice"


def test_GIVEN_a_bad_token_WHEN_the_action_allows_anonymous_callers_THEN_401(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_rest_authorization"), context)
    assert response["statusCode"] == 401


def test_GIVEN_no_token_WHEN_the_action_needs_a_scope_THEN_401(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(rest_event("/actions/only-for-root"), context)["statusCode"] == 401


def test_GIVEN_a_token_without_the_scope_WHEN_the_action_needs_it_THEN_403(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    event = rest_event("/actions/only-for-root")
    event["headers"]["Authorization"] = f"Bearer {make_token('reader', subject='bob')}"
    assert app.handle(event, context)["statusCode"] == 403


def test_GIVEN_an_action_that_raises_WHEN_handled_THEN_500_with_the_request_id_and_no_internals(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = small_app.handle(rest_event("/actions/explode"), context)
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["request_id"] == context.aws_request_id
    assert "hunter2" not in response["body"]


def test_GIVEN_an_async_action_WHEN_handled_THEN_its_result_is_awaited(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = small_app.handle(rest_event("/actions/add-async", query={"a": ["2"], "b": ["3"]}), context)
    assert json.loads(response["body"]) == 5


def test_GIVEN_a_per_action_function_WHEN_another_actions_route_arrives_THEN_404(
    sample_registry: Registry, context: FakeLambdaContext
) -> None:
    response = LambdaApp(sample_registry, function="say_hello").handle(
        load_event("apigw_rest_path_param"), context
    )
    assert response["statusCode"] == 404


def test_GIVEN_an_http_api_event_WHEN_handled_THEN_the_v2_response_shape(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_http_say_hello"), context)
    assert set(response) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert json.loads(response["body"]) == "Hello World!"


def test_GIVEN_an_http_api_route_key_with_a_path_parameter_WHEN_handled_THEN_it_is_routed(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(load_event("apigw_http_path_param"), context)
    assert json.loads(response["body"])["name"] == "Answer"


def test_GIVEN_an_http_api_repeated_query_parameter_WHEN_the_parameter_is_a_list_THEN_it_takes_every_value(
    small_app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_http_say_hello")
    event.update(
        routeKey="GET /tags", rawQueryString="tag=a%2Cb&tag=c", queryStringParameters={"tag": "a,b,c"}
    )
    response = small_app.handle(event, context)
    assert json.loads(response["body"])["tags"] == ["a,b", "c"]


def test_GIVEN_a_page_route_WHEN_handled_THEN_the_template_is_rendered_as_html(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(rest_event("/catalogue"), context)
    assert response["headers"]["Content-Type"].startswith("text/html")
    assert '<li data-item-id="42">Answer: 4.20</li>' in response["body"]


def test_GIVEN_a_base64_body_that_is_not_base64_WHEN_handled_THEN_422(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("apigw_rest_post_base64")
    event["body"] = base64.b64encode(b"{}").decode() + "!!"
    assert app.handle(event, context)["statusCode"] == 422


def test_GIVEN_no_token_WHEN_refused_with_401_THEN_the_answer_says_to_send_a_bearer_token(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    response = app.handle(rest_event("/actions/only-for-root"), context)
    assert (response["statusCode"], response["headers"]["WWW-Authenticate"]) == (401, "Bearer")


def test_GIVEN_a_form_with_a_repeated_field_WHEN_read_THEN_the_field_is_a_list() -> None:
    event = {
        "headers": {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        "body": "tag=a&tag=b&name=x%20y",
    }
    request = HttpRequest.from_v1({**event, "httpMethod": "POST", "resource": "/tags"})
    assert body_json(request, "tagged") == {"tag": ["a", "b"], "name": "x y"}
