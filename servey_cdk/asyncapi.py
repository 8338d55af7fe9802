"""The AsyncAPI 3.0 document of an app's websocket protocol and subscriptions.

Clients connect to the websocket (an optional `token` in the query string), send
`{"type": "subscribe" | "unsubscribe", "subscription": name}` frames, each answered
with `{"type": "subscribed" | "unsubscribed", "subscription": name, "connection_id": id}`
(the id an action may `publish(event, connection_id)` to) or an error frame, and
receive every published event as `{"subscription": name, "event": ...}`.

A fan-out subscription has a channel of its own, its SNS topic: the event is the raw
message, its message attributes the message's headers, and the operation's SNS binding
names each linked action's queue with its filter policy.
"""

from __future__ import annotations

from typing import Any

from servey_cdk.appspec import AppSpec, QueueSpec, SubscriptionSpec

_CONTROL_TYPES = ("subscribe", "unsubscribe")
_REPLY_TYPES = {"subscribe": "subscribed", "unsubscribe": "unsubscribed"}
_ERROR_MESSAGE = {
    "name": "error",
    "summary": "A refused frame: malformed, of an unknown subscription, or one the connection may not have.",
    "payload": {
        "type": "object",
        "properties": {
            "type": {"const": "error"},
            "error": {
                "type": "string",
                "enum": ["invalid_input", "unauthorized", "forbidden", "not_found", "internal_error"],
            },
            "detail": {},
            "subscription": {"type": ["string", "null"]},
            "request_id": {"type": ["string", "null"]},
        },
        "required": ["type", "error", "detail", "subscription"],
    },
}


def asyncapi_document(
    spec: AppSpec, host: str = "localhost:8000", title: str | None = None, version: str = "1.0.0"
) -> dict[str, Any]:
    subscribable = [item for item in spec.subscriptions if item.is_subscribable]
    names = [item.name for item in subscribable]
    messages: dict[str, Any] = {kind: _control_message(kind, names) for kind in _CONTROL_TYPES}
    messages.update({reply: _control_message(reply, names, reply=True) for reply in _REPLY_TYPES.values()})
    messages["error"] = _ERROR_MESSAGE
    messages.update({_message_name(item): _event_message(item) for item in subscribable})
    channel_messages = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    operations: dict[str, Any] = {
        kind: {
            "action": "send",
            "channel": {"$ref": "#/channels/websocket"},
            "summary": f"{kind.capitalize()} to a subscription.",
            "messages": [{"$ref": f"#/channels/websocket/messages/{kind}"}],
            "reply": {
                "channel": {"$ref": "#/channels/websocket"},
                "messages": [
                    {"$ref": f"#/channels/websocket/messages/{_REPLY_TYPES[kind]}"},
                    {"$ref": "#/channels/websocket/messages/error"},
                ],
            },
        }
        for kind in _CONTROL_TYPES
    }
    for item in subscribable:
        operation: dict[str, Any] = {
            "action": "receive",
            "channel": {"$ref": "#/channels/websocket"},
            "summary": f"Events published to {item.name!r}.",
            "messages": [{"$ref": f"#/channels/websocket/messages/{_message_name(item)}"}],
        }
        if item.requires_token:
            operation["security"] = [{"$ref": "#/components/securitySchemes/token"}]
        operations[f"receive_{item.name}"] = operation
    servers: dict[str, Any] = {"local": {"host": host, "protocol": "ws", "pathname": "/ws"}}
    channels: dict[str, Any] = {
        "websocket": {
            "address": "/ws",
            "description": "Connect with an optional `?token=`; a bad token is refused with 401.",
            "messages": channel_messages,
        }
    }
    fan_outs = [item for item in spec.subscriptions if item.fan_out and item.queues]
    if fan_outs:
        servers["sns"] = {"host": "sns.amazonaws.com", "protocol": "sns"}
        channels["websocket"]["servers"] = [{"$ref": "#/servers/local"}]
    for item in fan_outs:
        links = [queue for queue in spec.queues if queue.name in item.queues]
        messages[f"published_{item.name}"] = _published_message(item, links)
        channels[f"topic_{item.name}"] = _topic_channel(item)
        operations[f"fan_out_{item.name}"] = _fan_out_operation(item, links)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title or f"{spec.app_module} subscriptions", "version": version},
        "defaultContentType": "application/json",
        "servers": servers,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": spec.schemas,
            "securitySchemes": {
                "token": {
                    "type": "httpApiKey",
                    "name": "token",
                    "in": "query",
                    "description": "A bearer token, in the query string since browsers cannot set headers.",
                }
            },
        },
    }


def _message_name(item: SubscriptionSpec) -> str:
    return f"event_{item.name}"


def _control_message(kind: str, names: list[str], reply: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"const": kind}, "subscription": {"type": "string", "enum": names}}
    if reply:
        properties["connection_id"] = {
            "type": "string",
            "description": "This connection's id, which an action may `publish(event, connection_id)` to.",
        }
    return {
        "name": kind,
        "payload": {"type": "object", "properties": properties, "required": list(properties)},
    }


def _event_message(item: SubscriptionSpec) -> dict[str, Any]:
    return {
        "name": item.name,
        "payload": {
            "type": "object",
            "properties": {"subscription": {"const": item.name}, "event": item.event_schema},
            "required": ["subscription", "event"],
        },
    }


def _topic_channel(item: SubscriptionSpec) -> dict[str, Any]:
    return {
        "address": item.name,
        "description": f"The SNS topic {item.name!r} fans out to, one message per published event.",
        "servers": [{"$ref": "#/servers/sns"}],
        "messages": {"event": {"$ref": f"#/components/messages/published_{item.name}"}},
        "bindings": {"sns": {"name": item.name, "bindingVersion": "0.1.0"}},
    }


def _published_message(item: SubscriptionSpec, links: list[QueueSpec]) -> dict[str, Any]:
    """The raw message (the event) and its attributes, those the links' filter policies read named."""
    names = sorted({key for link in links for key in _policy_keys(link.filter_policy)})
    value = {"type": ["string", "number", "array"], "description": "a String, Number or String.Array"}
    return {
        "name": f"published_{item.name}",
        "summary": f"An event published to {item.name!r}, as its linked actions' queues receive it.",
        "headers": {
            "type": "object",
            "description": "The SNS message attributes given to publish(event, attributes=...).",
            "properties": dict.fromkeys(names, value),
            "additionalProperties": value,
        },
        "payload": item.event_schema,
    }


def _fan_out_operation(item: SubscriptionSpec, links: list[QueueSpec]) -> dict[str, Any]:
    consumers = [
        {
            "protocol": "sqs",
            "endpoint": {"name": link.name},
            "rawMessageDelivery": True,
            **({"filterPolicy": link.filter_policy, "filterPolicyScope": "MessageAttributes"}
               if link.filter_policy else {}),
        }
        for link in links
    ]  # fmt: skip
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/topic_{item.name}"},
        "summary": f"Each event published to {item.name!r}, once; SNS delivers it to the linked queues.",
        "messages": [{"$ref": f"#/channels/topic_{item.name}/messages/event"}],
        "bindings": {"sns": {"consumers": consumers, "bindingVersion": "0.1.0"}},
    }


def _policy_keys(policy: dict[str, Any]) -> list[str]:
    """The attribute names a filter policy reads, within `$or` too."""
    if "$or" in policy:
        return [key for branch in policy["$or"] for key in _policy_keys(branch)]
    return list(policy)
