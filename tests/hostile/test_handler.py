"""Hostile input through the Lambda handler, in the events AWS sends: refused with a 422, never a crash.

GIVEN a recorded event of each source, its payload replaced by what an attacker sends
WHEN the handler gets it THEN the answer is InvalidInput naming what is at fault, and
nothing else in the event (the other records of a batch) is lost.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from tests.conftest import FakeLambdaContext, load_event
from tests.hostile import hostile_app
from tests.hostile.conftest import DEEPER_THAN_ALLOWED, TOO_DEEP, nested


def rest_post(path: str, body: str) -> dict[str, Any]:
    event: dict[str, Any] = load_event("apigw_rest_post_json")
    event.update(resource=path, path=path, body=body, isBase64Encoded=False)
    event["requestContext"].update(resourcePath=path, path=f"/prod{path}")
    return event


def answer_of(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("body", ["0", "1.5", "true", "false", '"text"', "[1, 2]"])
def test_GIVEN_a_json_scalar_or_list_as_a_one_model_body_WHEN_handled_THEN_422_naming_the_model(
    app: LambdaApp, context: FakeLambdaContext, body: str
) -> None:
    status, answer = answer_of(app.handle(rest_post("/notes", body), context))
    assert status == 422
    assert answer["error"] == "invalid_input"
    assert answer["detail"][0]["loc"][0] == "note"


@pytest.mark.parametrize("depth", [DEEPER_THAN_ALLOWED, 1_000, TOO_DEEP])
def test_GIVEN_a_deeply_nested_rest_body_WHEN_handled_THEN_422(
    app: LambdaApp, context: FakeLambdaContext, depth: int
) -> None:
    body = json.dumps({"document": "PLACEHOLDER"}).replace('"PLACEHOLDER"', nested(depth))
    status, answer = answer_of(app.handle(rest_post("/documents", body), context))
    assert status == 422
    assert answer["detail"][0]["type"] == "too_deep"


def test_GIVEN_a_body_within_the_depth_limit_WHEN_handled_THEN_it_is_served(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    body = json.dumps({"document": "PLACEHOLDER"}).replace('"PLACEHOLDER"', nested(DEEPER_THAN_ALLOWED - 1))
    status, answer = answer_of(app.handle(rest_post("/documents", body), context))
    assert (status, answer) == (200, 1)


def test_GIVEN_a_deeply_nested_query_value_WHEN_handled_THEN_422(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = rest_post("/documents", "")
    event["body"] = None
    event["queryStringParameters"] = {"document": nested(TOO_DEEP)}
    status, answer = answer_of(app.handle(event, context))
    assert status == 422
    assert answer["detail"][0]["loc"] == ["query", "document"]


def test_GIVEN_deep_appsync_arguments_WHEN_handled_THEN_they_are_invalid_input(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("appsync_mutation_create_item")
    event["info"].update(parentTypeName="Mutation", fieldName="store_document")
    event["arguments"] = {"document": json.loads(nested(DEEPER_THAN_ALLOWED))}
    event["identity"] = None
    with pytest.raises(Exception, match="nested deeper than") as raised:
        app.handle(event, context)
    assert type(raised.value).__name__ == "InvalidInput"


def test_GIVEN_a_deep_direct_invoke_WHEN_handled_THEN_a_typed_invalid_input(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = {"action": "store_document", "params": {"document": json.loads(nested(DEEPER_THAN_ALLOWED))}}
    answer = app.handle(event, context)
    assert answer["errorType"] == "InvalidInput"


def test_GIVEN_an_sqs_batch_with_a_deep_record_WHEN_handled_THEN_only_that_record_fails(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("sqs_batch")
    for record in event["Records"]:
        record["eventSourceARN"] = record["eventSourceARN"].rpartition(":")[0] + ":app-notes-receive_note"
    event["Records"][0]["body"] = f"[{nested(TOO_DEEP)}]"
    event["Records"][1]["body"] = json.dumps("a good one")
    answer = app.handle(event, context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert hostile_app.RECEIVED == ["a good one"]


def test_GIVEN_a_deep_websocket_frame_WHEN_handled_THEN_an_error_frame_answers_it(
    app: LambdaApp, context: FakeLambdaContext
) -> None:
    event = load_event("websocket_connect")
    event["requestContext"].update(routeKey="$default", eventType="MESSAGE")
    event["body"] = nested(TOO_DEEP)
    status, answer = answer_of(app.handle(event, context))
    assert status == 422
    assert answer["type"] == "error"
