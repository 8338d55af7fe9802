"""What an event sent to a function is, told from its shape: for the dashboard's list of invocations.

The source (a REST route, a GraphQL field, a schedule, a queue, a websocket route,
S3, SNS, EventBridge, a direct invoke), the action the spec routes it to, the
parameters it carries and the caller its token names. The caller is read from the
token's claims without checking its signature, which the function does; the
invocation's status says whether the token was accepted. Secrets never show:
fields named like a password or token are blanked, in JSON and in text alike, and
tokens are redacted as in servey-local's own log (`log_redaction`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from local_runtime.log_redaction import REDACTED, SECRET_NAME, redact_secrets
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.session import SESSION_COOKIE
from servey_cdk.wire import SCHEDULE_KEY

MAX_TEXT = 2000  # characters of a parameter's text kept; a 6 MB body is not shown whole
MAX_CALLER = 200  # characters of the caller shown
MAX_PARSED = 64 * 1024  # a longer body is shown as text, not parsed
MAX_DEPTH = 32  # as the handler refuses deeper JSON, what lies deeper is not shown
SESSION = re.compile(rf"(?:^|;\s*){SESSION_COOKIE}=([^;]+)")


@dataclass(frozen=True)
class EventSummary:
    source: str  # the kind, e.g. "REST", "GraphQL", "schedule"
    detail: str  # which one: "GET /items/42", "Query.getItem", the schedule's name
    action: str | None
    params: Any
    caller: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "detail": self.detail,
            "action": self.action,
            "params": self.params,
            "caller": self.caller,
        }


class EventSummaries:
    """Summaries of the events of one app's functions, routed as its spec routes them."""

    def __init__(self, spec: AppSpec) -> None:
        self.routes: dict[tuple[str, str], str] = {
            (route.method, route.path): route.action for route in spec.routes
        }
        self.pages = {(route.method, route.path) for route in spec.routes if route.template}
        resolvers = spec.graphql.resolvers if spec.graphql is not None else ()
        self.fields = {(item.type_name, item.field_name): item.action for item in resolvers}
        self.schedules = {schedule.name: schedule.action for schedule in spec.schedules}
        self.queues = {queue.name: queue.action for queue in spec.queues}
        self.actions_of = {function.name: function.actions for function in spec.functions}

    def summarize(self, function: str, event: Any) -> EventSummary:
        if isinstance(event, list):  # an AppSync batch: one event per item of the parent list
            first = self.summarize(function, event[0]) if event else None
            detail = f"{first.detail} (batch of {len(event)})" if first else "empty batch"
            params = [item.get("arguments") for item in event if isinstance(item, dict)]
            return EventSummary("GraphQL", detail, first.action if first else None, _shown(params), None)
        if not isinstance(event, dict):
            return EventSummary("invoke", type(event).__name__, self._only_action(function), None, None)
        return self._summarize(function, event)

    def _summarize(self, function: str, event: dict[str, Any]) -> EventSummary:
        context = event.get("requestContext")
        context = context if isinstance(context, dict) else {}
        if "httpMethod" in event or "http" in context:
            return self._rest(function, event, context)
        info = event.get("info")
        if isinstance(info, dict) and "fieldName" in info:
            field = (str(info.get("parentTypeName")), str(info["fieldName"]))
            claims = ((event.get("identity") or {}).get("resolverContext")) or {}
            return EventSummary(
                "GraphQL", ".".join(field), self.fields.get(field), _shown(event.get("arguments")),
                _caller(claims),
            )  # fmt: skip
        if "authorizationToken" in event:
            token = str(event["authorizationToken"]).removeprefix("Bearer ").strip()
            return EventSummary("GraphQL", "authorizer", None, None, _caller(_claims(token)))
        if "eventType" in context and "connectionId" in context:
            return self._websocket(event, context)
        if SCHEDULE_KEY in event:
            name = str(event[SCHEDULE_KEY])
            return EventSummary("schedule", name, self.schedules.get(name), None, None)
        records = event.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            return self._records(function, records)
        if "detail-type" in event and "source" in event:
            detail = f"{event['detail-type']} from {event['source']}"
            return EventSummary(
                "EventBridge", detail, self._only_action(function), _shown(event.get("detail")), None
            )
        if "action" in event:
            sent = event.get("token")
            caller = _caller(_claims(sent)) if isinstance(sent, str) else None
            return EventSummary(
                "invoke", str(event["action"]), str(event["action"]), _shown(event.get("params")), caller
            )
        return EventSummary("invoke", "an object", self._only_action(function), _shown(event), None)

    def _rest(self, function: str, event: dict[str, Any], context: dict[str, Any]) -> EventSummary:
        headers = {str(key).lower(): value for key, value in (event.get("headers") or {}).items()}
        if "httpMethod" in event:  # API Gateway REST (payload 1.0)
            method, resource, api = str(event["httpMethod"]), str(event.get("resource")), "REST"
        else:  # HTTP API (payload 2.0): its route key is "GET /items/{item_id}", its cookies apart
            method, api = str(context["http"].get("method")), "HTTP API"
            resource = str(event.get("routeKey", "")).partition(" ")[2]
            headers["cookie"] = "; ".join(str(cookie) for cookie in event.get("cookies") or ())
        action = self.routes.get((method, resource)) or self._only_action(function)
        source = "page" if (method, resource) in self.pages else api
        params: dict[str, Any] = {
            **(event.get("queryStringParameters") or {}),
            **(event.get("pathParameters") or {}),
        }
        body = _body(event)
        if body is not None:
            params["body"] = body
        return EventSummary(source, f"{method} {event.get('path') or event.get('rawPath')}", action,
                            _shown(params), _caller(_claims(_token_of(headers))))  # fmt: skip

    def _websocket(self, event: dict[str, Any], context: dict[str, Any]) -> EventSummary:
        route = str(context.get("routeKey"))
        token = (event.get("queryStringParameters") or {}).get("token")
        body = _body(event)
        detail = f"{route} {context['connectionId']}"
        return EventSummary("websocket", detail, None, _shown(body), _caller(_claims(token)))

    def _records(self, function: str, records: list[Any]) -> EventSummary:
        first = records[0]
        kind = first.get("eventSource") or first.get("EventSource")
        count = f" ({len(records)} records)" if len(records) > 1 else ""
        if kind == "aws:sqs":
            queue = str(first.get("eventSourceARN", "")).rpartition(":")[2].removesuffix(".fifo")
            bodies = [_json_or_text(str(record.get("body", ""))) for record in records]
            action = self.queues.get(queue) or self._only_action(function)
            return EventSummary("queue", queue + count, action, _shown(bodies), None)
        if kind == "aws:sns":
            topic = str(first.get("Sns", {}).get("TopicArn", "")).rpartition(":")[2]
            messages = [_json_or_text(str(record.get("Sns", {}).get("Message", ""))) for record in records]
            return EventSummary("SNS", topic + count, self._only_action(function), _shown(messages), None)
        if kind == "aws:s3":
            s3 = first.get("s3", {})
            keys = [record.get("s3", {}).get("object", {}).get("key") for record in records]
            detail = f"{first.get('eventName')} {s3.get('bucket', {}).get('name')}{count}"
            return EventSummary("S3", detail, self._only_action(function), _shown(keys), None)
        return EventSummary(str(kind), f"records{count}", self._only_action(function), None, None)

    def _only_action(self, function: str) -> str | None:
        """The action of a function that serves one; None for a router, whose event must say."""
        actions = self.actions_of.get(function, ())
        return actions[0] if len(actions) == 1 else None


def _body(event: Mapping[str, Any]) -> Any:
    body = event.get("body")
    if body is None or body == "":
        return None
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(str(body)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return f"<{len(str(body))} characters of base64>"
    headers = {str(key).lower(): str(value) for key, value in (event.get("headers") or {}).items()}
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(str(body)))
    return _json_or_text(str(body))


def _json_or_text(text: str) -> Any:
    if len(text) > MAX_PARSED:
        return text
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _token_of(headers: Mapping[str, Any]) -> str | None:
    scheme, _, token = str(headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    cookie = SESSION.search(str(headers.get("cookie") or ""))
    return cookie.group(1) if cookie else None


def _claims(token: str | None) -> Mapping[str, Any]:
    """A JWT's payload, unverified; nothing for anything else."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return payload if isinstance(payload, dict) else {}


def _caller(claims: Mapping[str, Any]) -> str | None:
    if not claims:
        return None
    scopes = str(claims.get("scope") or "").strip()
    subject = str(claims.get("sub") or "anonymous")
    return (f"{subject} [{scopes}]" if scopes else subject)[:MAX_CALLER]  # the claims are the caller's own


def _shown(value: Any) -> Any:
    """`value` with its secrets blanked and redacted; as text, cut short, when it is long."""
    cleaned = _without_secrets(value)
    text = json.dumps(cleaned, default=str)
    return cleaned if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… ({len(text)} characters)"


def _without_secrets(value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_NAME.search(str(key)) else _without_secrets(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(item, depth + 1) for item in value]
    if isinstance(value, str):
        return redact_secrets(value, MAX_TEXT)
    return value
