"""What the dashboard says of an event: replayed on the recorded AWS events of each shape.

GIVEN a recorded event, sent to the sample app's router (which serves every action)
WHEN it is summarized THEN the source, what of it, the action the spec routes it to,
the parameters it carries and the caller its token names are as shown, and no secret is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local_runtime.event_summary import EventSummaries
from servey_cdk.appspec import AppSpec
from tests.conftest import load_event

ROUTER = "router"  # a function of no single action: the action comes from the event, or is unknown


@pytest.fixture(scope="module")
def summaries(spec: AppSpec) -> EventSummaries:
    return EventSummaries(spec)


@pytest.mark.parametrize(
    ("event", "source", "detail", "action", "params"),
    [
        ("apigw_rest_path_param", "REST", "GET /items/42", "get_item", {"item_id": "42"}),
        ("apigw_rest_post_base64", "REST", "POST /items", "create_item",
         {"body": {"name": "Widget", "price": "9.99", "tags": ["a", "b"]}}),
        ("apigw_http_say_hello", "HTTP API", "GET /actions/say-hello", "say_hello", {"name": "World"}),
        ("appsync_query_say_hello", "GraphQL", "Query.say_hello", "say_hello", {"name": "World"}),
        ("appsync_batch_factorial", "GraphQL", "NumberStats.factorial (batch of 3)", "factorial",
         [{}, {}, {}]),
        ("appsync_authorizer", "GraphQL", "authorizer", None, None),
        ("direct_invoke", "invoke", "say_hello", "say_hello", {"name": "World"}),
        ("scheduler_event", "schedule", "nightly_report", "nightly_report", None),
        ("sqs_batch", "queue", "servey-messager-record_message (2 records)", None, ["hello", "second"]),
        ("sns/sns_notification", "SNS", "ServeyStack-AppTopicsOrders1A2B3C-orders", None,
         [{"order_id": 1042, "total": 19.5}]),
        ("s3_object_created", "S3", "ObjectCreated:Put servey-uploads", None, ["incoming/report.csv"]),
        ("eventbridge/codebuild_build_succeeded", "EventBridge",
         "CodeBuild Build State Change from aws.codebuild", None, None),
        ("websocket_default", "websocket", "$default AbCdEfGhIjKlMnO=", None,
         {"type": "subscribe", "subscription": "messager"}),
    ],
)  # fmt: skip
def test_GIVEN_a_recorded_event_THEN_its_summary_names_its_source_action_and_parameters(
    summaries: EventSummaries, event: str, source: str, detail: str, action: str | None, params: Any
) -> None:
    summary = summaries.summarize(ROUTER, load_event(event))
    assert (summary.source, summary.detail, summary.action) == (source, detail, action)
    if params is not None:
        assert summary.params == params


def test_GIVEN_a_function_of_one_action_THEN_its_events_are_that_actions(summaries: EventSummaries) -> None:
    assert summaries.summarize("record_message", load_event("sqs_batch")).action == "record_message"


def test_GIVEN_a_bearer_token_a_session_cookie_or_a_connect_token_THEN_the_caller_is_what_it_claims(
    summaries: EventSummaries, make_token: Callable[..., str]
) -> None:
    rest = load_event("apigw_rest_authorization")
    rest["headers"]["Authorization"] = f"Bearer {make_token('root', subject='ada')}"
    assert summaries.summarize(ROUTER, rest).caller == "ada [root]"

    page = load_event("apigw_http_say_hello")
    page["cookies"] = ["theme=dark", f"servey_token={make_token(subject='bob')}"]
    assert summaries.summarize(ROUTER, page).caller == "bob"

    connect = load_event("websocket_connect")
    connect["queryStringParameters"] = {"token": make_token("messages:send", subject="eve")}
    summary = summaries.summarize(ROUTER, connect)
    assert (summary.source, summary.caller) == ("websocket", "eve [messages:send]")


def test_GIVEN_a_page_request_THEN_its_source_is_the_page(summaries: EventSummaries) -> None:
    event = load_event("apigw_rest_path_param")
    event.update(resource="/catalogue", path="/catalogue", pathParameters=None)
    summary = summaries.summarize(ROUTER, event)
    assert (summary.source, summary.action) == ("page", "catalogue_page")


def test_GIVEN_secrets_in_a_body_THEN_the_summary_shows_none_whether_the_body_parses_or_not(
    summaries: EventSummaries, make_token: Callable[..., str]
) -> None:
    token = make_token("root")
    event = load_event("apigw_rest_post_json")
    event["isBase64Encoded"] = False
    fields = f'"username": "ada", "client_secret": "s3cr3t", "note": "Bearer {token}"'
    event["body"] = "{" + fields + "}"
    assert summaries.summarize(ROUTER, event).params["body"] == {
        "username": "ada",
        "client_secret": "[redacted]",
        "note": "Bearer [redacted]",
    }

    event["body"] = "{" + fields + ', "deep": ' + "[" * 5000 + "]" * 5000 + "}"  # too deep to parse: text
    shown = summaries.summarize(ROUTER, event).params
    assert isinstance(shown, str)
    assert shown.startswith('{"body": "{\\"username\\": \\"ada\\", \\"client_secret\\": \\"[redacted]\\"')
    assert "s3cr3t" not in shown
    assert token not in shown


def test_GIVEN_json_deeper_than_the_handler_reads_THEN_the_summary_stops_there(
    summaries: EventSummaries,
) -> None:
    event = load_event("apigw_rest_post_json")
    event["isBase64Encoded"] = False
    event["body"] = "[" * 100 + "]" * 100
    nested = summaries.summarize(ROUTER, event).params["body"]
    for _ in range(31):
        nested = nested[0]
    assert nested == "…"


def test_GIVEN_a_megabyte_word_in_a_parameter_THEN_it_is_read_once_and_shown_cut_short(
    summaries: EventSummaries,
) -> None:
    event = load_event("apigw_rest_path_param")
    event["queryStringParameters"] = {"text": "n" * 1_000_000}  # searched for fields at each character: hours
    shown = summaries.summarize(ROUTER, event).params
    assert shown == '{"text": "' + "n" * 1990 + "… (2056 characters)"  # the word cut, then the JSON


@pytest.mark.parametrize("quote", ['"', "'"])
def test_GIVEN_a_secret_whose_value_the_cut_leaves_open_THEN_none_of_it_is_shown(quote: str) -> None:
    from local_runtime.log_redaction import redact_secrets

    text = '{"user": "ada", "password": "' + "S" * 500 + '"}' if quote == '"' else "password=" + "S" * 500
    shown = redact_secrets(text, 200)
    assert "SSS" not in shown
    assert shown.endswith(f"… ({len(text)} characters)")
