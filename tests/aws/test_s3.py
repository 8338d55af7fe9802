"""S3 object events routed to actions with an S3Trigger."""

from __future__ import annotations

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.s3 import S3EventsFailed
from servey_cdk.discovery import Registry, discover
from tests.aws import uploads_app as uploads
from tests.conftest import FakeLambdaContext, load_event


@pytest.fixture(autouse=True)
def received() -> list[str]:
    uploads.RECEIVED.clear()
    return uploads.RECEIVED


@pytest.fixture(scope="module")
def registry() -> Registry:
    return discover("tests.aws.uploads_app")


@pytest.fixture
def app(registry: Registry) -> LambdaApp:
    return LambdaApp(registry)


@pytest.fixture
def s3_app(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> LambdaApp:
    monkeypatch.setenv("SERVEY_BUCKET_UPLOADS", "servey-uploads")
    return LambdaApp(registry)


def test_GIVEN_an_object_created_WHEN_handled_THEN_the_matching_action_gets_its_params(
    s3_app: LambdaApp, context: FakeLambdaContext, received: list[str]
) -> None:
    s3_app.handle(load_event("s3_object_created"), context)
    assert received == ["created s3://servey-uploads/incoming/report.csv"]


def test_GIVEN_an_object_removed_WHEN_handled_THEN_the_event_kind_is_removed(
    s3_app: LambdaApp, context: FakeLambdaContext, received: list[str]
) -> None:
    s3_app.handle(load_event("s3_object_removed"), context)
    assert received == ["removed s3://servey-uploads/incoming/old.csv"]


def test_GIVEN_a_key_outside_the_prefix_WHEN_handled_THEN_no_action_runs_and_a_line_names_the_object(
    s3_app: LambdaApp, context: FakeLambdaContext, received: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    event = load_event("s3_object_created")
    event["Records"][0]["s3"]["object"]["key"] = "archive/report.csv"
    assert s3_app.handle(event, context) == []
    assert received == []
    (line,) = [r for r in caplog.records if "no S3Trigger" in r.getMessage()]
    assert (line.levelname, getattr(line, "key", None)) == ("WARNING", "archive/report.csv")


def test_GIVEN_an_encoded_key_WHEN_handled_THEN_the_action_gets_it_decoded(
    s3_app: LambdaApp, context: FakeLambdaContext, received: list[str]
) -> None:
    event = load_event("s3_object_created")
    event["Records"][0]["s3"]["object"]["key"] = "incoming/q1+report%2B.csv"
    s3_app.handle(event, context)
    assert received == ["created s3://servey-uploads/incoming/q1 report+.csv"]


def test_GIVEN_no_bucket_variable_WHEN_handled_THEN_the_logical_name_is_matched_literally(
    app: LambdaApp, context: FakeLambdaContext, received: list[str]
) -> None:
    event = load_event("s3_object_created")
    app.handle(event, context)
    event["Records"][0]["s3"]["bucket"]["name"] = "uploads"
    app.handle(event, context)
    assert received == ["created s3://uploads/incoming/report.csv"]


def test_GIVEN_an_action_that_fails_WHEN_handled_THEN_the_invocation_fails_after_every_record(
    s3_app: LambdaApp, context: FakeLambdaContext, received: list[str]
) -> None:
    event = load_event("s3_object_created")
    event["Records"].insert(0, load_event("s3_object_created")["Records"][0])
    event["Records"][0]["s3"]["object"]["size"] = "huge"
    with pytest.raises(S3EventsFailed, match="1 of"):
        s3_app.handle(event, context)
    assert received == ["created s3://servey-uploads/incoming/report.csv"]
