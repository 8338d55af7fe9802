"""The AsyncAPI document of the websocket protocol and the app's subscriptions."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from servey_cdk import ScopeAccessControl, subscription
from servey_cdk.appspec import AppSpec
from servey_cdk.asyncapi import asyncapi_document
from servey_cdk.discovery import Registry
from servey_cdk.json_schema import build_schemas


@pytest.fixture(scope="module")
def document(sample_spec: AppSpec) -> dict[str, Any]:
    return asyncapi_document(sample_spec)


def test_GIVEN_the_sample_app_THEN_the_document_is_asyncapi_3_and_json(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert json.loads(json.dumps(document)) == document


def test_GIVEN_the_messager_subscription_THEN_its_event_has_the_real_json_schema(
    document: dict[str, Any],
) -> None:
    message = document["components"]["messages"]["event_messager"]

    assert message["name"] == "messager"
    assert message["payload"]["properties"]["event"] == {"type": "string"}
    assert message["payload"]["properties"]["subscription"] == {"const": "messager"}
    assert "receive_messager" in document["operations"]


@pytest.mark.parametrize("kind", ["subscribe", "unsubscribe"])
def test_GIVEN_subscriptions_THEN_clients_send_subscribe_and_unsubscribe_naming_them(
    document: dict[str, Any], kind: str
) -> None:
    payload = document["components"]["messages"][kind]["payload"]

    assert payload["properties"]["type"] == {"const": kind}
    assert payload["properties"]["subscription"]["enum"] == ["messager"]
    assert document["operations"][kind]["action"] == "send"


def test_GIVEN_every_message_THEN_the_channel_lists_it(document: dict[str, Any]) -> None:
    channel = document["channels"]["websocket"]
    assert set(channel["messages"]) == set(document["components"]["messages"])


@dataclasses.dataclass
class Reading:
    sensor: str
    value: float


def test_GIVEN_a_record_event_THEN_its_schema_is_a_shared_component(tmp_path: Any) -> None:
    readings = subscription(Reading, "readings", access_control=ScopeAccessControl("sensors"))
    registry = Registry(module="t", root=tmp_path, actions=(), subscriptions=(readings,))
    schemas = build_schemas(registry, [])

    assert schemas.events["readings"] == {"$ref": "#/components/schemas/Reading"}
    assert set(schemas.components["Reading"]["properties"]) == {"sensor", "value"}


def test_GIVEN_a_protected_subscription_THEN_receiving_needs_the_token(sample_spec: AppSpec) -> None:
    protected = dataclasses.replace(sample_spec.subscriptions[0], requires_token=True)
    spec = dataclasses.replace(sample_spec, subscriptions=(protected,))

    operation = asyncapi_document(spec)["operations"]["receive_messager"]

    assert operation["security"] == [{"$ref": "#/components/securitySchemes/token"}]


def test_GIVEN_the_replies_THEN_they_carry_the_connection_id_and_the_subscribe_frame_does_not(
    document: dict[str, Any],
) -> None:
    messages = document["components"]["messages"]
    for reply in ("subscribed", "unsubscribed"):
        payload = messages[reply]["payload"]
        assert "connection_id" in payload["required"]
        assert "publish(event, connection_id)" in payload["properties"]["connection_id"]["description"]
    assert "connection_id" not in messages["subscribe"]["payload"]["properties"]
