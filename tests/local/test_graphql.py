"""GraphQL: each request put to the Lambda authorizer and each field sent to the function as
AppSync's direct Lambda resolver event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from graphql import GraphQLError
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from local_runtime.appsync_scalars import declare_appsync_scalars, install_appsync_scalars
from local_runtime.lambda_context import LambdaContext
from servey_cdk.appspec import AppSpec, GraphQLSpec, ResolverSpec
from servey_cdk.aws.websocket import InMemoryConnectionStore
from tests.conftest import load_event

PRIME_FACTORS = "{ number_stats(value: 12) { value prime_factors } }"


def query(client: TestClient, text: str, **headers: str) -> Any:
    return client.post("/graphql", json={"query": text}, headers=headers)


@pytest.fixture
def ask(client: TestClient, make_token: Callable[..., str]) -> Callable[[str], Any]:
    """Queries with a token of no scope: AppSync's Lambda authorization needs one on every request."""
    token = make_token()
    return lambda text: query(client, text, authorization=f"Bearer {token}")


def test_GIVEN_no_authorization_header_WHEN_querying_THEN_appsync_refuses_with_401(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    client, function = appsync
    response = query(client, "{ numbers(count: 1) { value } }")
    assert response.status_code == 401
    assert response.json()["errors"] == [
        {"errorType": "UnauthorizedException", "message": "Valid authorization header not provided."}
    ]
    assert function.events == []  # neither the authorizer nor a resolver ran


def test_GIVEN_an_anonymous_caller_WHEN_querying_THEN_public_fields_resolve_and_scoped_ones_are_refused(
    client: TestClient,
) -> None:
    public = query(client, '{ say_hello(name: "x") }', authorization="anonymous").json()
    assert public == {"data": {"say_hello": "Hello x!"}}
    scoped = query(client, "{ only_for_root }", authorization="anonymous").json()
    assert [(e["path"], e["extensions"]) for e in scoped["errors"]] == [
        (["only_for_root"], {"errorType": "Unauthorized"})
    ]


def test_GIVEN_an_anonymous_caller_WHEN_a_nested_field_with_its_own_scope_is_selected_THEN_only_it_is_refused(
    client: TestClient,
) -> None:
    body = query(client, PRIME_FACTORS, authorization="anonymous").json()
    assert body["data"] == {"number_stats": {"value": 12, "prime_factors": None}}
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (["number_stats", "prime_factors"], {"errorType": "Unauthorized"})
    ]


def test_GIVEN_a_query_WHEN_executed_THEN_the_handler_resolves_it(ask: Callable[[str], Any]) -> None:
    response = ask('{ say_hello(name: "World") }')
    assert response.json() == {"data": {"say_hello": "Hello World!"}}


def test_GIVEN_a_nested_field_WHEN_selected_THEN_it_is_resolved_from_its_parent(
    ask: Callable[[str], Any],
) -> None:
    response = ask("{ number_stats(value: 5) { value factorial } }")
    assert response.json() == {"data": {"number_stats": {"value": 5, "factorial": 120}}}


def test_GIVEN_an_action_error_WHEN_resolved_THEN_it_is_a_graphql_error_with_its_type(
    ask: Callable[[str], Any],
) -> None:
    body = ask("{ get_item(item_id: 999) { name } }").json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"errorType": "NotFound"}
    assert body["errors"][0]["path"] == ["get_item"]


def test_GIVEN_a_valid_token_WHEN_querying_THEN_the_resolver_sees_the_authorizers_identity(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    response = query(client, "{ echo_authorization { subject_id scopes } }", authorization=make_token("root"))
    assert response.json() == {"data": {"echo_authorization": {"subject_id": "tester", "scopes": ["root"]}}}


def test_GIVEN_a_bearer_prefixed_token_WHEN_querying_THEN_it_is_accepted(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    response = query(client, "{ only_for_root }", authorization=f"Bearer {make_token('root')}")
    assert response.json() == {"data": {"only_for_root": "Some Secret Data!"}}


def test_GIVEN_an_invalid_token_WHEN_querying_THEN_appsync_refuses_with_401(client: TestClient) -> None:
    response = query(client, '{ say_hello(name: "x") }', authorization="not-a-token")
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorType"] == "UnauthorizedException"


def test_GIVEN_a_token_without_the_scope_WHEN_a_scoped_field_is_queried_THEN_a_forbidden_error(
    ask: Callable[[str], Any],
) -> None:
    body = ask("{ only_for_root }").json()
    assert body["errors"][0]["extensions"] == {"errorType": "Forbidden"}


def test_GIVEN_a_request_that_is_not_graphql_WHEN_posted_THEN_400(client: TestClient) -> None:
    response = client.post("/graphql", content=b"{not json")
    assert response.status_code == 400


def test_GIVEN_a_mutation_with_an_input_object_WHEN_executed_THEN_the_arguments_arrive_as_json(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    text = 'mutation { create_item(item: {name: "Cup", price: "2.50"}) { name price status } }'
    body = query(client, text, authorization=f"Bearer {make_token('items:write')}").json()
    assert body == {"data": {"create_item": {"name": "Cup", "price": "2.50", "status": "draft"}}}


# A small schema over a recording function shows what AppSync sends.
SDL = """
type Query { numbers(count: Int!): [Number!]! }
type Number { value: Int! square: Int! meta: AWSJSON }
"""


class AppSyncFunction:
    """Approves every caller as `tester`, and resolves `numbers` and their `square`s."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        self.events.append(event)
        if isinstance(event, dict) and "authorizationToken" in event:
            return {"isAuthorized": True, "resolverContext": {"sub": "tester"}}
        if isinstance(event, list):
            return [{"data": item["source"]["value"] ** 2} for item in event]
        return [{"value": n} for n in range(1, event["arguments"]["count"] + 1)]


@pytest.fixture
def appsync(spec: AppSpec) -> tuple[TestClient, AppSyncFunction]:
    function = AppSyncFunction()
    resolvers = (
        ResolverSpec("Query", "numbers", "numbers", "numbers", None),
        ResolverSpec("Number", "square", "square", "square", 2),
    )
    graphql_spec = GraphQLSpec(SDL, resolvers)
    test_spec = AppSpec(**{**spec.__dict__, "graphql": graphql_spec})
    runtime = LocalRuntime(test_spec, function, InMemoryConnectionStore(), password="pw")
    return TestClient(runtime.app), function


def resolved(function: AppSyncFunction) -> list[Any]:
    """The resolver events the function was sent (the authorizer's left out)."""
    return [
        event for event in function.events if not (isinstance(event, dict) and "authorizationToken" in event)
    ]


def test_GIVEN_a_nested_field_not_selected_WHEN_executed_THEN_its_function_is_not_called(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    client, function = appsync
    query(client, "{ numbers(count: 3) { value } }", authorization="t")
    assert len(resolved(function)) == 1


def test_GIVEN_a_batched_field_of_many_parents_WHEN_executed_THEN_parents_go_in_lists_of_batch_size(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    client, function = appsync
    body = query(client, "{ numbers(count: 3) { square } }", authorization="t").json()
    assert body == {"data": {"numbers": [{"square": 1}, {"square": 4}, {"square": 9}]}}
    batches = [event for event in resolved(function) if isinstance(event, list)]
    # The batches are invoked concurrently, as AppSync does, so they may arrive in either order.
    assert sorted([item["source"]["value"] for item in batch] for batch in batches) == [[1, 2], [3]]


def test_GIVEN_a_query_WHEN_resolved_THEN_the_event_has_appsyncs_keys_and_selection(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    client, function = appsync
    query(client, "{ numbers(count: 1) { value renamed: square } }", authorization="t")
    event = resolved(function)[0]
    assert set(event) == set(load_event("appsync_query_say_hello"))
    assert event["info"]["selectionSetList"] == ["value", "renamed"]
    assert event["info"]["selectionSetGraphQL"] == "{\n  value\n  renamed: square\n}"
    assert (event["info"]["parentTypeName"], event["info"]["fieldName"]) == ("Query", "numbers")
    assert event["identity"] == {"resolverContext": {"sub": "tester"}}  # the authorizer's grant
    assert event["source"] is None


def test_GIVEN_the_sdl_WHEN_built_THEN_appsync_scalars_are_declared() -> None:
    assert declare_appsync_scalars("type Query { a: AWSDateTime }").startswith("scalar AWSDateTime\n")


@pytest.mark.parametrize(
    ("scalar", "good", "bad"),
    [
        ("AWSDateTime", "2024-05-14T12:00:00Z", "2024-05-14T12:00:00"),
        ("AWSDate", "2024-05-14", "14/05/2024"),
        ("AWSTime", "12:30:00", "25:00"),
        ("AWSEmail", "a@example.com", "nobody"),
        ("AWSURL", "https://example.com/x", "example"),
        ("AWSPhone", "+1 (555) 010-0199", "call me"),
        ("AWSIPAddress", "10.0.0.0/8", "300.1.1.1"),
        ("AWSTimestamp", 1715688000, "1715688000"),
    ],
)
def test_GIVEN_an_appsync_scalar_WHEN_coerced_THEN_good_values_pass_and_bad_ones_fail(
    scalar: str, good: Any, bad: Any
) -> None:
    from graphql import build_schema

    schema = build_schema(declare_appsync_scalars("type Query { a: Int }"))
    install_appsync_scalars(schema)
    coerce = schema.type_map[scalar].coerce_input_value  # type: ignore[attr-defined]
    assert coerce(good) == good
    with pytest.raises(GraphQLError):
        coerce(bad)


def test_GIVEN_awsjson_WHEN_coerced_THEN_input_is_parsed_and_output_is_a_json_string() -> None:
    from graphql import build_schema

    schema = build_schema(declare_appsync_scalars("type Query { a: Int }"))
    install_appsync_scalars(schema)
    scalar = schema.type_map["AWSJSON"]
    assert scalar.coerce_input_value('{"a": [1]}') == {"a": [1]}  # type: ignore[attr-defined]
    assert scalar.coerce_output_value({"a": [1]}) == '{"a": [1]}'  # type: ignore[attr-defined]


def test_GIVEN_a_token_without_the_nested_fields_scope_WHEN_selected_THEN_forbidden(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    body = query(client, PRIME_FACTORS, authorization=make_token("reader")).json()
    assert body["data"]["number_stats"]["value"] == 12
    assert body["errors"][0]["extensions"] == {"errorType": "Forbidden"}


def test_GIVEN_a_token_with_the_nested_fields_scope_WHEN_selected_THEN_resolved(
    client: TestClient, make_token: Callable[..., str]
) -> None:
    body = query(client, PRIME_FACTORS, authorization=make_token("root")).json()
    assert body == {"data": {"number_stats": {"value": 12, "prime_factors": [2, 2, 3]}}}


def _authorizer_calls(function: AppSyncFunction) -> list[str]:
    return [event["authorizationToken"] for event in function.events if "authorizationToken" in event]


def test_GIVEN_an_approved_header_WHEN_it_comes_again_THEN_the_approval_is_kept_as_appsync_caches_it(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    """AppSync keeps an approval for its ttlOverride (the construct's 5 minutes without one),
    by the header's value: a header it has not approved is put to the authorizer."""
    client, function = appsync
    for header in ("Bearer one", "Bearer one", "Bearer two", "Bearer one"):
        assert query(client, "{ numbers(count: 1) { value } }", authorization=header).status_code == 200
    assert _authorizer_calls(function) == ["Bearer one", "Bearer two"]


class ShortApprovals(AppSyncFunction):
    """Approves `Bearer brief` for no time at all (ttlOverride 0), and refuses anything else."""

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        if isinstance(event, dict) and "authorizationToken" in event:
            self.events.append(event)
            if event["authorizationToken"] == "Bearer brief":
                return {"isAuthorized": True, "resolverContext": {}, "ttlOverride": 0}
            return {"isAuthorized": False}
        return super().__call__(event, context)


def test_GIVEN_a_refusal_or_an_approval_of_no_ttl_WHEN_the_header_comes_again_THEN_it_is_asked_again(
    spec: AppSpec,
) -> None:
    function = ShortApprovals()
    graphql_spec = GraphQLSpec(SDL, (ResolverSpec("Query", "numbers", "numbers", "numbers", None),))
    test_spec = AppSpec(**{**spec.__dict__, "graphql": graphql_spec})
    runtime = LocalRuntime(test_spec, function, None, password="pw")
    client = TestClient(runtime.app)
    statuses = [
        query(client, "{ numbers(count: 1) { value } }", authorization=header).status_code
        for header in ("Bearer brief", "Bearer brief", "Bearer bad", "Bearer bad")
    ]
    assert statuses == [200, 200, 401, 401]
    assert _authorizer_calls(function) == ["Bearer brief", "Bearer brief", "Bearer bad", "Bearer bad"]


def test_GIVEN_the_same_query_twice_WHEN_executed_THEN_it_is_answered_alike_valid_or_not(
    appsync: tuple[TestClient, AppSyncFunction],
) -> None:
    client, _ = appsync
    for text in ("{ numbers(count: 2) { value } }", "{ numbers(count: 2) { nope } }", "{ numbers("):
        first, again = (query(client, text, authorization="Bearer one").json() for _ in range(2))
        assert first == again
    assert "errors" in first
