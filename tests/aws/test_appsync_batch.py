"""A batch function behind AppSync's BatchInvoke: one call for the batch's parents, one item each."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import discover
from tests import library_app
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture(scope="module")
def library() -> LambdaApp:
    return LambdaApp(discover("tests.library_app"))


@pytest.fixture(autouse=True)
def calls() -> list[int]:
    library_app.AUTHOR_CALLS.clear()
    return library_app.AUTHOR_CALLS


def test_GIVEN_a_batch_of_three_parents_WHEN_handled_THEN_one_call_answers_each_in_order(
    library: LambdaApp, context: FakeLambdaContext, calls: list[int]
) -> None:
    answers = library.handle(load_event("appsync/batch_book_author"), context)
    assert calls == [3]
    assert answers[:2] == [
        {"data": {"author_id": 1, "name": "Ursula K. Le Guin"}},
        {"data": {"author_id": 2, "name": "Italo Calvino"}},
    ]
    assert (answers[2]["data"], answers[2]["errorType"]) == (None, "NotFound")
    assert answers[2]["errorMessage"].startswith("no author 9 (request ")


def test_GIVEN_an_invalid_parent_WHEN_handled_THEN_only_it_fails_and_the_others_make_one_call(
    library: LambdaApp, context: FakeLambdaContext, calls: list[int]
) -> None:
    events = load_event("appsync/batch_book_author")
    events[0]["source"] = {"title": "No author id"}
    answers = library.handle(events, context)
    assert calls == [2]
    assert (answers[0]["errorType"], answers[1]["data"]["name"]) == ("InvalidInput", "Italo Calvino")
    assert "source.author_id" in answers[0]["errorMessage"]


def test_GIVEN_a_batch_function_that_miscounts_WHEN_handled_THEN_every_item_has_an_error_naming_it(
    library: LambdaApp, context: FakeLambdaContext
) -> None:
    events = load_event("appsync/batch_book_author")
    for event in events:
        event["info"]["fieldName"] = "shelf"
    answers = library.handle(events, context)
    assert [answer["errorType"] for answer in answers] == ["BatchMismatch"] * 3
    message = "batch function 'shelf' returned 2 results for 3 parents"
    assert all(message in answer["errorMessage"] for answer in answers)


def test_GIVEN_events_of_two_callers_WHEN_handled_THEN_one_call_each(
    library: LambdaApp, context: FakeLambdaContext, calls: list[int]
) -> None:
    events: list[dict[str, Any]] = load_event("appsync/batch_book_author")
    events[1]["identity"] = {"resolverContext": {"sub": "alice", "scope": ""}}
    answers = library.handle(events, context)
    assert sorted(calls) == [1, 2]
    assert [answer["data"] is not None for answer in answers] == [True, True, False]


def test_GIVEN_one_event_of_a_batch_function_WHEN_handled_THEN_its_result_alone(
    library: LambdaApp, context: FakeLambdaContext, calls: list[int]
) -> None:
    event = load_event("appsync/batch_book_author")[1]
    assert library.handle(event, context) == {"author_id": 2, "name": "Italo Calvino"}
    assert calls == [1]


def test_GIVEN_an_item_that_fails_WHEN_logged_THEN_its_line_names_the_batch_functions_action(
    monkeypatch: pytest.MonkeyPatch, context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import uuid

    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"test-{uuid.uuid4().hex}")  # a Logger of this test's
    LambdaApp(discover("tests.library_app")).handle(load_event("appsync/batch_book_author"), context)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line["level"] == "WARNING"]
    assert (line["action"], line["field"]) == ("author", "Book.author")
    assert line["function_request_id"] == context.aws_request_id
