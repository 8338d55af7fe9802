"""API Gateway websocket events: `$connect`, `$disconnect` and `$default` frames.

`$connect` accepts an optional token in the query string (`?token=…`; browsers
cannot set headers on a websocket) and refuses a bad one with 401. `$default`
carries JSON frames `{"type": "subscribe" | "unsubscribe", "subscription": name}`,
answered `{"type": "subscribed" | "unsubscribed", "subscription": name, "connection_id": id}`
(so a client learns the id an action can `publish(event, connection_id)` to) or, when
refused, `{"type": "error", "error": code, "detail": ..., "subscription": name}`.
Connections, their connect-time authorization and what they subscribe to are kept
in a `ConnectionStore`; publishers read the subscribers back from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from servey_cdk.access_control import check_access
from servey_cdk.authorization import Authorization
from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import Forbidden, InvalidInput, NotFound, ServeyError
from servey_cdk.json_input import parse_json
from servey_cdk.subscriptions import Subscription


@dataclass(frozen=True)
class Subscriber:
    """A connection subscribed to a subscription, with the authorization it connected with."""

    connection_id: str
    authorization: Authorization | None


class ConnectionStore(Protocol):
    def connect(self, connection_id: str, authorization: Authorization | None) -> None: ...

    def disconnect(self, connection_id: str) -> None: ...

    def authorization(self, connection_id: str) -> Authorization | None:
        """The authorization the connection was opened with; NotFound if it is not open."""
        ...

    def subscribe(self, connection_id: str, subscription: str, authorization: Authorization | None) -> None:
        """Subscribe an open connection; `authorization` is the one it connected with."""
        ...

    def unsubscribe(self, connection_id: str, subscription: str) -> None: ...

    def subscribers(self, subscription: str) -> Iterable[Subscriber]: ...


@dataclass
class InMemoryConnectionStore:
    """Connections of one process: for tests and the local emulator."""

    connections: dict[str, Authorization | None] = field(default_factory=dict)
    subscriptions: dict[str, set[str]] = field(default_factory=dict)

    def connect(self, connection_id: str, authorization: Authorization | None) -> None:
        self.connections[connection_id] = authorization

    def disconnect(self, connection_id: str) -> None:
        self.connections.pop(connection_id, None)
        for members in self.subscriptions.values():
            members.discard(connection_id)

    def authorization(self, connection_id: str) -> Authorization | None:
        if connection_id not in self.connections:
            raise NotFound(f"connection {connection_id!r} is not open")
        return self.connections[connection_id]

    def subscribe(self, connection_id: str, subscription: str, authorization: Authorization | None) -> None:
        self.subscriptions.setdefault(subscription, set()).add(connection_id)

    def unsubscribe(self, connection_id: str, subscription: str) -> None:
        self.subscriptions.get(subscription, set()).discard(connection_id)

    def subscribers(self, subscription: str) -> list[Subscriber]:
        members = sorted(self.subscriptions.get(subscription, ()))
        return [Subscriber(member, self.connections.get(member)) for member in members]


class WebSocketSource:
    """`$connect`, `$disconnect` and `$default` events; not an authorizer's, which carry `methodArn`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store: ConnectionStore = runtime.connections or InMemoryConnectionStore()
        subscriptions = runtime.spec["subscriptions"]
        self._subscribable = {item["name"] for item in subscriptions if item["is_subscribable"]}

    def matches(self, event: Any) -> bool:
        if type(event) is not dict or "methodArn" in event:
            return False
        context = event.get("requestContext")
        return type(context) is dict and "eventType" in context and "connectionId" in context

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        context = event["requestContext"]
        route, connection_id = context.get("routeKey"), context["connectionId"]
        try:
            if route == "$connect":
                token = (event.get("queryStringParameters") or {}).get("token")
                self.store.connect(connection_id, self.runtime.verify_token(token))
                return {"statusCode": 200}
            if route == "$disconnect":
                self.store.disconnect(connection_id)
                return {"statusCode": 200}
        except ServeyError as error:
            self.runtime.report(error, connection_id=connection_id, route=route)
            return {"statusCode": error.status, "body": json.dumps(error.body(request_id), default=str)}
        return self._frame(connection_id, event.get("body"), request_id)

    def _frame(self, connection_id: str, body: str | None, request_id: str) -> dict[str, Any]:
        """Answer a frame; a refused one is answered with an error frame the client receives."""
        try:
            frame = parse_json(body or "", "the frame", ["body"])
        except InvalidInput:
            frame = None  # answered below as a frame of no known shape
        name = frame.get("subscription") if isinstance(frame, dict) else None
        try:
            kind = self._apply(connection_id, frame)
        except ServeyError as error:
            self.runtime.report(error, connection_id=connection_id, route="$default", subscription=name)
            answer = {"type": "error", **error.body(request_id), "subscription": name}
            return {"statusCode": error.status, "body": json.dumps(answer, default=str)}
        answer = {"type": kind, "subscription": name, "connection_id": connection_id}
        return {"statusCode": 200, "body": json.dumps(answer)}

    def _apply(self, connection_id: str, frame: Any) -> str:
        kind = frame.get("type") if isinstance(frame, dict) else None
        name = frame.get("subscription") if isinstance(frame, dict) else None
        if kind not in ("subscribe", "unsubscribe") or not isinstance(name, str):
            raise InvalidInput('a frame is {"type": "subscribe" | "unsubscribe", "subscription": name}')
        subscription = self.runtime.registry.subscription(name)
        if kind == "unsubscribe":
            self.store.unsubscribe(connection_id, name)
            return "unsubscribed"
        if name not in self._subscribable:
            raise Forbidden(f"subscription {name!r} cannot be subscribed to")
        authorization = self.store.authorization(connection_id)
        control = subscription.access_control
        check_access(control, authorization, f"subscription {name!r}", "a token on $connect")
        self.store.subscribe(connection_id, name, authorization)
        return "subscribed"


def envelope(subscription: str, event: Any) -> str:
    """What every subscriber receives: `{"subscription": name, "event": event}`."""
    return json.dumps({"subscription": subscription, "event": event})


def recipients(
    store: ConnectionStore, subscription: Subscription[Any], event: Any, connection_id: str | None
) -> Iterator[str]:
    """The one connection named, or every subscriber the subscription's event filter lets through.

    A subscription that cannot be subscribed to reaches its linked actions only.
    """
    if not subscription.is_subscribable:
        return
    if connection_id is not None:
        yield connection_id
        return
    accepts = subscription.event_filter
    for subscriber in store.subscribers(subscription.name):
        if accepts is None or accepts(event, subscriber.authorization):
            yield subscriber.connection_id
