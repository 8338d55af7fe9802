"""API Gateway websocket events: `$connect`, `$disconnect` and `$default` frames.

`$connect` accepts an optional token in the query string (`?token=…`; browsers
cannot set headers on a websocket) and refuses a bad one with 401. `$default`
carries JSON frames `{"type": "subscribe" | "unsubscribe", "subscription": name}`.
Connections and what they subscribe to are kept in a `ConnectionStore`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from servey_cdk.authorization import Authorization
from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import Forbidden, InvalidInput, NotFound, ServeyError, Unauthorized


class ConnectionStore(Protocol):
    def connect(self, connection_id: str, authorization: Authorization | None) -> None: ...

    def disconnect(self, connection_id: str) -> None: ...

    def authorization(self, connection_id: str) -> Authorization | None:
        """The authorization the connection was opened with; NotFound if it is not open."""
        ...

    def subscribe(self, connection_id: str, subscription: str) -> None: ...

    def unsubscribe(self, connection_id: str, subscription: str) -> None: ...

    def subscribers(self, subscription: str) -> list[str]: ...


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

    def subscribe(self, connection_id: str, subscription: str) -> None:
        self.subscriptions.setdefault(subscription, set()).add(connection_id)

    def unsubscribe(self, connection_id: str, subscription: str) -> None:
        self.subscriptions.get(subscription, set()).discard(connection_id)

    def subscribers(self, subscription: str) -> list[str]:
        return sorted(self.subscriptions.get(subscription, ()))


class WebSocketAdapter:
    def __init__(self, runtime: Runtime, store: ConnectionStore) -> None:
        self.runtime = runtime
        self.store = store

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
            return self._frame(connection_id, event.get("body"))
        except ServeyError as error:
            self.runtime.report(error, connection_id=connection_id, route=route)
            return {"statusCode": error.status, "body": json.dumps(error.body(request_id), default=str)}

    def _frame(self, connection_id: str, body: str | None) -> dict[str, Any]:
        try:
            frame = json.loads(body or "")
        except ValueError:
            raise InvalidInput('a frame must be JSON: {"type": ..., "subscription": ...}') from None
        kind = frame.get("type") if isinstance(frame, dict) else None
        name = frame.get("subscription") if isinstance(frame, dict) else None
        if kind not in ("subscribe", "unsubscribe") or not isinstance(name, str):
            raise InvalidInput('a frame is {"type": "subscribe" | "unsubscribe", "subscription": name}')
        subscription = self.runtime.registry.subscription(name)
        if kind == "unsubscribe":
            self.store.unsubscribe(connection_id, name)
            return _answer("unsubscribed", name)
        if not subscription.is_subscribable:
            raise Forbidden(f"subscription {name!r} cannot be subscribed to")
        authorization = self.store.authorization(connection_id)
        if not subscription.access_control.is_executable(authorization):
            if authorization is None:
                raise Unauthorized(f"subscription {name!r} needs a token on $connect")
            raise Forbidden(f"the token does not allow subscription {name!r}")
        self.store.subscribe(connection_id, name)
        return _answer("subscribed", name)


def _answer(kind: str, subscription: str) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"type": kind, "subscription": subscription})}
