"""An app of camelCase GraphQL fields on Lambda: AppSync's events name fields and arguments in
camelCase, the actions take their Python names, and results go back in camelCase."""

from __future__ import annotations

from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import discover
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture(scope="module")
def camel() -> LambdaApp:
    return LambdaApp(discover("tests.camel_app"))


def field_event(type_name: str, field_name: str, arguments: dict[str, Any], source: Any = None) -> Any:
    event = load_event("appsync_query_say_hello")
    event["info"].update(parentTypeName=type_name, fieldName=field_name)
    event.update(arguments=arguments, source=source)
    return event


def test_GIVEN_camel_case_arguments_WHEN_resolved_THEN_the_action_gets_them_and_answers_in_camel_case(
    camel: LambdaApp, context: FakeLambdaContext
) -> None:
    [book] = camel.handle(field_event("Query", "findBooks", {"authorId": 2, "titlePrefix": "Ci"}), context)
    assert book == {
        "bookTitle": "Cities",
        "authorId": 2,
        "chapters": [{"chapterTitle": "one", "pageCount": 7, "wordCounts": {}}],
    }


def test_GIVEN_an_input_type_WHEN_resolved_THEN_its_fields_are_renamed_too(
    camel: LambdaApp, context: FakeLambdaContext
) -> None:
    arguments = {"newBook": {"bookTitle": "New", "authorId": 3}, "firstChapter": "opening_lines"}
    book = camel.handle(field_event("Mutation", "addBook", arguments), context)
    assert (book["bookTitle"], book["chapters"][0]["chapterTitle"]) == ("New", "opening_lines")


def test_GIVEN_a_camel_case_parent_WHEN_its_nested_field_is_resolved_THEN_the_parent_is_read_by_python_names(
    camel: LambdaApp, context: FakeLambdaContext
) -> None:
    parent = camel.handle(field_event("Query", "findBooks", {"authorId": 1}), context)[0]
    assert parent["chapters"][0]["wordCounts"] == {"snow_days": 3}  # JSON data: its keys as they are
    assert camel.handle(field_event("Book", "pageTotal", {}, parent), context) == 15


def test_GIVEN_a_batch_of_camel_case_parents_WHEN_resolved_THEN_one_item_each(
    camel: LambdaApp, context: FakeLambdaContext
) -> None:
    parents = camel.handle(field_event("Query", "findBooks", {"authorId": 1}), context)
    parents += camel.handle(field_event("Query", "findBooks", {"authorId": 2}), context)
    answers = camel.handle([field_event("Book", "authorName", {}, parent) for parent in parents], context)
    assert answers == [{"data": "author 1"}, {"data": "author 2"}]


def test_GIVEN_a_python_field_name_WHEN_resolved_THEN_no_such_field(
    camel: LambdaApp, context: FakeLambdaContext
) -> None:
    with pytest.raises(Exception, match=r"no field Query\.find_books") as raised:
        camel.handle(field_event("Query", "find_books", {"author_id": 1}), context)
    assert type(raised.value).__name__ == "NotFound"
