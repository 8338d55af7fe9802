"""Each event source the handler claims beside the web, as a pair: the action is reached through
servey-local over HTTP (a published event, a fired schedule, a topic message, a put event, an
object put or deleted, a websocket frame) and through the handler with the event AWS sends; it
must be given the same input, and answer alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

import pytest
from starlette.testclient import TestClient

from local_runtime import LocalRuntime
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.aws.handler import LambdaApp
from servey_cdk.aws.websocket import InMemoryConnectionStore
from servey_cdk.discovery import Registry, discover
from tests.conftest import (
    WEBSOCKET_CONNECTION,
    FakeLambdaContext,
    load_event,
    websocket_connect_event,
    websocket_frame_event,
)
from tests.parity.sources_app import HEARD, Order, orders

ORDER = {"order_id": 7, "total": "120.50", "placed_at": "2026-11-30T09:12:44Z", "note": None}
Heard = list[tuple[str, Any]]


@pytest.fixture(scope="module")
def spec() -> AppSpec:
    return build_spec(discover("tests.parity.sources_app"))


@pytest.fixture
def lambda_app(spec: AppSpec) -> LambdaApp:
    HEARD.clear()
    return LambdaApp(discover("tests.parity.sources_app"), connections=InMemoryConnectionStore(), spec=spec)


@pytest.fixture
def runtime(spec: AppSpec, lambda_app: LambdaApp) -> LocalRuntime:
    assert lambda_app.connections is not None
    return LocalRuntime(spec, lambda_app.handle, lambda_app.connections, password="pw")


@pytest.fixture
def client(runtime: LocalRuntime) -> Iterator[TestClient]:
    with TestClient(runtime.app) as test_client:
        yield test_client


def _heard_locally(count: int = 1) -> Heard:
    """What the actions heard once servey-local's asynchronous delivery is done; then forgotten."""
    deadline = time.monotonic() + 10
    while len(HEARD) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    heard = list(HEARD)
    HEARD.clear()
    return heard


def _heard_on_aws(handle: Callable[[], Any]) -> tuple[Any, Heard]:
    answer = handle()
    heard = list(HEARD)
    HEARD.clear()
    return answer, heard


def _sqs_event(spec: AppSpec, body: str) -> Any:
    (queue,) = spec.queues
    event = load_event("sqs_batch")
    event["Records"] = event["Records"][:1]
    event["Records"][0].update(eventSourceARN=f"arn:aws:sqs:us-east-1:123456789012:{queue.name}", body=body)
    return event


def test_GIVEN_a_published_event_WHEN_its_queue_delivers_it_THEN_the_link_gets_the_same_typed_event(
    spec: AppSpec, lambda_app: LambdaApp, client: TestClient, context: FakeLambdaContext
) -> None:
    assert client.post("/actions/place", json={"order": ORDER}).json() is True
    local = _heard_locally()

    body = json.dumps(orders.adapter.dump_python(orders.adapter.validate_python(ORDER), mode="json"))
    answer, on_aws = _heard_on_aws(lambda: lambda_app.handle(_sqs_event(spec, body), context))

    assert answer == {"batchItemFailures": []}
    expected = Order(7, Decimal("120.50"), datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC))
    assert local == on_aws == [("on_queued", expected)]


def test_GIVEN_a_message_the_link_refuses_WHEN_delivered_THEN_both_sides_keep_it_for_a_retry(
    spec: AppSpec,
    runtime: LocalRuntime,
    lambda_app: LambdaApp,
    client: TestClient,
    context: FakeLambdaContext,
) -> None:
    """A wrong-typed message is reported failed on AWS (SQS redelivers it, then dead-letters it);
    servey-local's queue keeps it in flight for its next receive, as SQS does."""
    body = json.dumps({**ORDER, "order_id": "seven"})
    assert runtime.local_queues is not None
    (queue,) = runtime.local_queues.values()
    queue.send(body)
    deadline = time.monotonic() + 10
    while not client.get("/_servey/queues").json()["queues"][0]["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.02)
    (local,) = client.get("/_servey/queues").json()["queues"]

    event = _sqs_event(spec, body)
    answer, on_aws = _heard_on_aws(lambda: lambda_app.handle(event, context))

    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert (local["depth"], local["in_flight"], local["messages"][0]["receiveCount"]) == (1, 1, 1)
    assert on_aws == HEARD == []


def test_GIVEN_a_schedule_WHEN_fired_locally_and_by_its_rule_THEN_its_action_runs_alike(
    spec: AppSpec, lambda_app: LambdaApp, client: TestClient, context: FakeLambdaContext
) -> None:
    (schedule,) = spec.schedules
    fired = client.post(f"/_servey/schedules/{schedule.name}")
    local = _heard_locally()

    event = load_event("eventbridge_scheduled")
    event["resources"] = [f"arn:aws:events:us-east-1:123456789012:rule/{schedule.name}"]
    answer, on_aws = _heard_on_aws(lambda: lambda_app.handle(event, context))

    assert fired.status_code == 200
    assert answer == "swept"
    assert local == on_aws == [("sweep", None)]


@pytest.mark.parametrize(
    ("message", "level", "heard"),
    [
        ({"order_id": 1042, "total": 19.5}, "high", 1),
        ("disk almost full", "critical", 1),
        ("disk almost full", "low", 0),  # the filter policy refuses it, on both sides
    ],
)
def test_GIVEN_a_topic_message_WHEN_published_locally_and_by_sns_THEN_the_action_gets_the_same_input(
    lambda_app: LambdaApp,
    client: TestClient,
    context: FakeLambdaContext,
    message: Any,
    level: str,
    heard: int,
) -> None:
    published = client.post(
        "/_servey/topics/alerts",
        json={"message": message, "subject": "ops", "attributes": {"level": level, "hosts": ["a", "b"]}},
    )
    local = _heard_locally(heard) if heard else (time.sleep(0.2), _heard_locally(0))[1]

    event = load_event("sns/sns_notification")
    notification = event["Records"][0]["Sns"]
    notification["TopicArn"] = notification["TopicArn"].replace("orders", "alerts")
    notification.update(
        Subject="ops",
        Message=message if isinstance(message, str) else json.dumps(message),
        MessageAttributes={
            "level": {"Type": "String", "Value": level},
            "hosts": {"Type": "String.Array", "Value": '["a", "b"]'},
        },
    )
    _, on_aws = _heard_on_aws(lambda: lambda_app.handle(event, context))

    assert published.status_code == 200
    assert len(on_aws) == heard
    assert local == on_aws


@pytest.mark.parametrize(("total", "heard"), [(120.5, 1), (99.99, 0)])
def test_GIVEN_a_put_event_WHEN_put_locally_and_by_eventbridge_THEN_the_pattern_and_the_detail_agree(
    lambda_app: LambdaApp, client: TestClient, context: FakeLambdaContext, total: float, heard: int
) -> None:
    detail = {"order_id": 1042, "total": total, "customer": {"country": "NL"}}
    put = client.post(
        "/_servey/events", json={"source": "shop.orders", "detail-type": "Order Placed", "detail": detail}
    )
    local = _heard_locally(heard) if heard else (time.sleep(0.2), _heard_locally(0))[1]

    event = load_event("eventbridge/order_placed")
    event["detail"] = detail
    _, on_aws = _heard_on_aws(lambda: lambda_app.handle(event, context))

    assert put.json()["FailedEntryCount"] == 0
    assert local == on_aws == [("on_big_order", detail)] * heard


@pytest.mark.parametrize(
    ("method", "key", "heard"),
    [
        ("PUT", "incoming/march report.csv", 1),  # a space: URL-encoded in the event, decoded for the action
        ("DELETE", "incoming/old.csv", 1),
        ("PUT", "incoming/notes.txt", 0),  # the suffix filter passes it to no one, on both sides
    ],
)
def test_GIVEN_an_object_event_WHEN_made_locally_and_by_s3_THEN_the_action_gets_the_same_input(
    lambda_app: LambdaApp,
    client: TestClient,
    context: FakeLambdaContext,
    method: str,
    key: str,
    heard: int,
) -> None:
    body = b"date,total\n2026-03-01,12.50\n"
    url = f"/_servey/buckets/uploads/{key}"
    made = client.request(method, url, content=body if method == "PUT" else None)
    local = _heard_locally(heard) if heard else (time.sleep(0.2), _heard_locally(0))[1]

    event = load_event("s3_object_removed" if method == "DELETE" else "s3_object_created")
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = "uploads"
    record["s3"]["object"]["key"] = quote_plus(key, safe="/")
    if method == "PUT":
        record["s3"]["object"]["size"] = len(body)
    _, on_aws = _heard_on_aws(lambda: lambda_app.handle(event, context))

    assert made.status_code == 200
    assert made.json()["notified"] == (["on_upload"] if heard else [])
    assert len(on_aws) == heard
    assert local == on_aws


def test_GIVEN_a_bucket_no_trigger_names_WHEN_an_object_is_put_THEN_404_names_the_known_buckets(
    client: TestClient,
) -> None:
    answer = client.put("/_servey/buckets/elsewhere/a.csv", content=b"x")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no S3Trigger names bucket 'elsewhere' (known: uploads)"


VOLATILE = {"connection_id", "request_id"}  # a new one each connection and each invocation


def _steady(frame: Any) -> Any:
    return {key: value for key, value in frame.items() if key not in VOLATILE}


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "subscribe", "subscription": "messager"},
        {"type": "unsubscribe", "subscription": "messager"},
        {"type": "subscribe", "subscription": "no_such_thing"},
        {"type": "publish", "subscription": "messager"},
        {"subscription": "messager"},
        "not json at all",
    ],
)
def test_GIVEN_a_websocket_frame_WHEN_sent_locally_and_through_api_gateway_THEN_the_answers_agree(
    sample_registry: Registry, context: FakeLambdaContext, frame: Any
) -> None:
    store = InMemoryConnectionStore()
    sample = LambdaApp(sample_registry, connections=store)
    runtime = LocalRuntime(build_spec(sample_registry), sample.handle, store, password="pw")
    with TestClient(runtime.app) as local, local.websocket_connect("/ws") as websocket:
        websocket.send_text(frame if isinstance(frame, str) else json.dumps(frame))
        over_websocket = websocket.receive_json()

    sample.handle(websocket_connect_event(None), context)
    on_aws = json.loads(sample.handle(websocket_frame_event(frame), context)["body"])

    assert _steady(over_websocket) == _steady(on_aws)
    if "connection_id" in on_aws:
        assert on_aws["connection_id"] == WEBSOCKET_CONNECTION
        assert len(over_websocket["connection_id"]) == len(WEBSOCKET_CONNECTION)


@pytest.fixture
def sample_client(sample_registry: Registry) -> Iterator[tuple[TestClient, LambdaApp]]:
    store = InMemoryConnectionStore()
    sample = LambdaApp(sample_registry, connections=store)
    runtime = LocalRuntime(build_spec(sample_registry), sample.handle, store, password="pw")
    with TestClient(runtime.app) as client:
        yield client, sample


@pytest.mark.parametrize(
    ("field", "arguments", "data"),
    [
        ("say_hello", {"name": "World"}, "Hello World!"),
        ("say_hello", {}, None),  # a required argument missing: refused before any resolver runs
        ("number_stats", {"value": 2000}, None),  # an argument the action's limit refuses
    ],
)
def test_GIVEN_a_graphql_field_WHEN_resolved_locally_and_by_appsync_THEN_the_result_or_error_type_agree(
    sample_client: tuple[TestClient, LambdaApp],
    context: FakeLambdaContext,
    field: str,
    arguments: dict[str, Any],
    data: Any,
) -> None:
    client, sample = sample_client
    given = ", ".join(f"{name}: {json.dumps(value)}" for name, value in arguments.items())
    selection = "{ value }" if field == "number_stats" else ""
    text = f"{{ {field}{f'({given})' if given else ''} {selection} }}"
    over_http = client.post("/graphql", json={"query": text}, headers={"Authorization": "anonymous"}).json()

    event = load_event("appsync_query_say_hello")
    event["arguments"] = arguments
    event["info"]["fieldName"] = field
    event["info"]["selectionSetList"] = ["value"] if selection else []
    try:
        on_aws: Any = {"data": sample.handle(event, context)}
    except Exception as error:  # Lambda reports the exception's class as the errorType
        on_aws = {"errorType": type(error).__name__}

    if data is not None:
        assert over_http == {"data": {field: data}} == {"data": {field: on_aws["data"]}}
    elif not arguments:  # AppSync validates the query against the schema, so no function runs
        assert "'Query.say_hello(name:)' of type 'String!' is required" in over_http["errors"][0]["message"]
    else:
        assert over_http["errors"][0]["extensions"]["errorType"] == on_aws["errorType"] == "InvalidInput"


@pytest.mark.parametrize("params", [{"name": "A"}, {}, {"name": ["not", "a", "string"]}])
def test_GIVEN_a_direct_invoke_WHEN_run_by_servey_run_and_by_lambda_THEN_the_answers_agree(
    sample_registry: Registry, context: FakeLambdaContext, capsys: pytest.CaptureFixture[str], params: Any
) -> None:
    from servey_cdk.cli import main

    code = main(["--app", "sample_app", "run", "say_hello", "--params", json.dumps(params)])
    printed = capsys.readouterr()
    answer = LambdaApp(sample_registry).handle({"action": "say_hello", "params": params}, context)

    if code == 0:
        assert json.loads(printed.out) == answer == "Hello A!"
    else:
        assert answer["errorType"] == "InvalidInput"
        assert f"({answer['error']}" in printed.err.replace("422 ", "")
