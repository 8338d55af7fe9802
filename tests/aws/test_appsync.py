"""AppSync direct Lambda resolvers (single, nested, batch) and the Lambda authorizer."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from tests.conftest import FakeLambdaContext, load_event


def test_GIVEN_a_query_field_WHEN_resolved_THEN_the_action_result_is_returned(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("appsync_query_say_hello"), context) == "Hello World!"


def test_GIVEN_a_mutation_WHEN_resolved_THEN_the_result_is_json_shaped(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    result = app.handle(load_event("appsync_mutation_create_item"), context)
    assert (result["name"], result["price"], result["status"]) == ("Widget", "9.99", "draft")


def test_GIVEN_a_nested_field_WHEN_resolved_THEN_the_source_is_the_parent_object(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("appsync_nested_factorial"), context) == 120


def test_GIVEN_a_batch_WHEN_resolved_THEN_one_data_item_per_event_in_order(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    assert app.handle(load_event("appsync_batch_factorial"), context) == [
        {"data": 6},
        {"data": 24},
        {"data": 120},
    ]


def test_GIVEN_a_batch_with_an_invalid_source_WHEN_resolved_THEN_only_that_item_has_an_error(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    events = load_event("appsync_batch_factorial")
    events[1]["source"] = {"value": "four"}
    answers = app.handle(events, context)
    assert [answers[0], answers[2]] == [{"data": 6}, {"data": 120}]
    assert (answers[1]["data"], answers[1]["errorType"]) == (None, "InvalidInput")
    assert "source.value" in answers[1]["errorMessage"]


def test_GIVEN_invalid_arguments_WHEN_resolved_THEN_the_error_class_name_is_the_error_type(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("appsync_query_say_hello")
    event["arguments"] = {}
    with pytest.raises(Exception, match="invalid parameters for action 'say_hello'") as raised:
        app.handle(event, context)
    assert type(raised.value).__name__ == "InvalidInput"
    assert context.aws_request_id in str(raised.value)


def test_GIVEN_an_unknown_field_WHEN_resolved_THEN_the_error_type_is_not_found(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("appsync_query_say_hello")
    event["info"]["fieldName"] = "sayHello"
    with pytest.raises(Exception, match="sayHello") as raised:
        app.handle(event, context)
    assert type(raised.value).__name__ == "NotFound"


def test_GIVEN_a_resolver_context_from_our_authorizer_WHEN_resolved_THEN_it_is_the_authorization(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("appsync_mutation_create_item")
    event["info"].update(parentTypeName="Query", fieldName="echo_authorization")
    event["arguments"] = {}
    result = app.handle(event, context)
    assert (result["subject_id"], result["scopes"]) == ("user-0001", ["items:write"])


def test_GIVEN_no_identity_WHEN_a_scoped_action_is_resolved_THEN_unauthorized(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("appsync_query_say_hello")
    event.update(arguments={})
    event["info"]["fieldName"] = "only_for_root"
    with pytest.raises(Exception, match="needs a valid token") as raised:
        app.handle(event, context)
    assert type(raised.value).__name__ == "Unauthorized"


def authorizer_event(token: str) -> dict[str, Any]:
    return {
        "authorizationToken": token,
        "requestContext": {
            "apiId": "abcdefghijklmnopqrstuvwxyz",
            "accountId": "123456789012",
            "requestId": "8a7c2c3e-0000-4000-8000-000000000002",
            "queryString": 'query { say_hello(name: "x") }',
            "operationName": None,
            "variables": {},
        },
    }


def test_GIVEN_a_valid_token_WHEN_authorizing_THEN_approved_with_its_claims_as_text(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    answer = app.handle(authorizer_event(make_token("root", "items:write", subject="alice")), context)
    assert answer["isAuthorized"] is True
    assert answer["resolverContext"]["sub"] == "alice"
    assert answer["resolverContext"]["scope"] == "items:write root"
    assert all(isinstance(value, str) for value in answer["resolverContext"].values())
    assert 0 < answer["ttlOverride"] <= 3600


def test_GIVEN_a_bearer_prefixed_token_WHEN_authorizing_THEN_approved(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    assert app.handle(authorizer_event(f"Bearer {make_token()}"), context)["isAuthorized"] is True


def test_GIVEN_a_bad_token_WHEN_authorizing_THEN_refused(app: LambdaApp, context: FakeLambdaContext) -> None:
    assert app.handle(authorizer_event("TOKEN_PLACEHOLDER"), context) == {"isAuthorized": False}


def test_GIVEN_an_anonymous_caller_WHEN_authorizing_THEN_approved_without_claims_and_access_control_decides(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    answer = app.handle(authorizer_event("anonymous"), context)
    assert (answer["isAuthorized"], answer["resolverContext"]) == (True, {})
    public = load_event("appsync_query_say_hello")
    public["identity"] = {"resolverContext": answer["resolverContext"]}
    assert app.handle(public, context) == "Hello World!"
    scoped = {**public, "arguments": {}, "info": {**public["info"], "fieldName": "only_for_root"}}
    with pytest.raises(Exception, match="needs a valid token") as raised:
        app.handle(scoped, context)
    assert type(raised.value).__name__ == "Unauthorized"


@pytest.mark.parametrize("header", ["Anonymous", "anonymous x", "Bearer anonymous"])
def test_GIVEN_something_like_anonymous_WHEN_authorizing_THEN_refused(
    app: LambdaApp, context: FakeLambdaContext, header: str
) -> None:
    assert app.handle(authorizer_event(header), context) == {"isAuthorized": False}


def test_GIVEN_an_approved_token_WHEN_its_claims_reach_a_resolver_THEN_the_subject_is_kept(
    app: LambdaApp, context: FakeLambdaContext, make_token: Any
) -> None:
    claims = app.handle(authorizer_event(make_token("root", subject="carol")), context)["resolverContext"]
    event = load_event("appsync_query_say_hello")
    event.update(arguments={}, identity={"resolverContext": claims})
    event["info"]["fieldName"] = "only_for_root"
    assert app.handle(event, context) == "Some Secret Data!"


def nested_prime_factors_event(claims: dict[str, str] | None) -> dict[str, Any]:
    event = load_event("appsync_nested_factorial")
    event["info"]["fieldName"] = "prime_factors"
    event["source"] = {"value": 12}
    event["identity"] = {"resolverContext": claims} if claims else None
    return event


def test_GIVEN_no_identity_WHEN_a_nested_field_with_its_own_scope_is_resolved_THEN_unauthorized(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    with pytest.raises(Exception, match="needs a valid token") as raised:
        app.handle(nested_prime_factors_event(None), context)
    assert type(raised.value).__name__ == "Unauthorized"


@pytest.mark.parametrize(("scope", "answer"), [("reader", "Forbidden"), ("root", [2, 2, 3])])
def test_GIVEN_an_identity_WHEN_a_nested_field_with_its_own_scope_is_resolved_THEN_its_scope_decides(
    app: LambdaApp, context: FakeLambdaContext, scope: str, answer: Any
) -> None:
    event = nested_prime_factors_event({"sub": "user-0001", "scope": scope})
    try:
        result: Any = app.handle(event, context)
    except Exception as error:
        result = type(error).__name__
    assert result == answer
