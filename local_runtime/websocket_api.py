"""The websocket API at `/ws`: API Gateway's `$connect`, `$default` and `$disconnect` routes.

Each is sent to the function as the event API Gateway sends. A `$connect` answered
with a status other than 2xx refuses the connection; the body a `$default`
invocation returns goes back to the client, as a two-way route's response does.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.responses import Response
from starlette.websockets import WebSocket

from local_runtime.connections import ConnectionTable
from local_runtime.invoker import FunctionInvoker
from local_runtime.rest_event import API_ID, STAGE, request_time
from local_runtime.types import Event
from local_runtime.websocket_protocol import MAX_MESSAGE_BYTES
from servey_cdk.appspec import WEBSOCKET

log = logging.getLogger(__name__)


def connection_id() -> str:
    """An id in API Gateway's form: 16 base64 characters ending in `=`."""
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")[:15] + "="


@dataclass(frozen=True)
class Connection:
    connection_id: str
    websocket: WebSocket
    connected_at_ms: int


class WebSocketApi:
    def __init__(self, invoker: FunctionInvoker, connections: ConnectionTable) -> None:
        self.invoker = invoker
        self.connections = connections

    async def endpoint(self, websocket: WebSocket) -> None:
        connection = Connection(connection_id(), websocket, int(time.time() * 1000))
        result = await self._invoke(self._connect_event(websocket, connection))
        status = result.get("statusCode", 500) if isinstance(result, dict) else 500
        if not 200 <= status < 300:
            await _refuse(websocket, status, result)
            return
        await websocket.accept()
        self.connections.add(connection.connection_id, websocket)
        code, reason = 1000, ""
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    code, reason = message.get("code", 1005), message.get("reason") or ""
                    break
                if _size(message) > MAX_MESSAGE_BYTES:  # as API Gateway closes on an over-size message
                    code, reason = 1009, f"Message too big: over {MAX_MESSAGE_BYTES} bytes"
                    await websocket.close(code, reason)
                    break
                await self._on_message(connection, message)
        finally:
            self.connections.remove(connection.connection_id)
            with anyio.CancelScope(shield=True):  # the function hears of the disconnect even on shutdown
                await self._invoke(self._disconnect_event(connection, code, reason))

    async def _on_message(self, connection: Connection, message: Mapping[str, Any]) -> None:
        text = message.get("text")
        payload = text if text is not None else base64.b64encode(message.get("bytes") or b"").decode("ascii")
        event = self._message_event(connection, payload, is_base64=text is None)
        result = await self._invoke(event)
        if result is None:
            reply: Any = {
                "message": "Internal server error",
                "connectionId": connection.connection_id,
                "requestId": event["requestContext"]["requestId"],
            }
        else:
            reply = result.get("body") if isinstance(result, dict) else None
        if reply:
            await connection.websocket.send_text(reply if isinstance(reply, str) else json.dumps(reply))

    async def _invoke(self, event: Event) -> Any:
        try:
            return await self.invoker.invoke(WEBSOCKET, event)
        except Exception:
            log.exception("websocket %s failed", event["requestContext"]["routeKey"])
            return None

    def _context(self, connection: Connection, route_key: str, event_type: str) -> dict[str, Any]:
        websocket = connection.websocket
        now = time.time()
        request_id = str(uuid.uuid4())
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "messageDirection": "IN",
            "stage": STAGE,
            "connectedAt": connection.connected_at_ms,
            "requestTimeEpoch": int(now * 1000),
            "identity": {
                "userAgent": websocket.headers.get("user-agent"),
                "sourceIp": websocket.client.host if websocket.client else "127.0.0.1",
            },
            "requestId": request_id,
            "domainName": websocket.headers.get("host", "localhost"),
            "connectionId": connection.connection_id,
            "apiId": API_ID,
        }

    def _connect_event(self, websocket: WebSocket, connection: Connection) -> Event:
        headers: dict[str, list[str]] = {}
        for name, value in websocket.headers.items():
            headers.setdefault(name, []).append(value)  # lowercase, as ASGI gives (see rest_event)
        query: dict[str, list[str]] = {}
        for name, value in websocket.query_params.multi_items():
            query.setdefault(name, []).append(value)
        return {
            "headers": {name: values[-1] for name, values in headers.items()},
            "multiValueHeaders": headers,
            "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "requestContext": self._context(connection, "$connect", "CONNECT"),
            "isBase64Encoded": False,
        }

    def _message_event(self, connection: Connection, body: str, is_base64: bool) -> Event:
        context = self._context(connection, "$default", "MESSAGE")
        context["messageId"] = str(uuid.uuid4())
        return {"requestContext": context, "body": body, "isBase64Encoded": is_base64}

    def _disconnect_event(self, connection: Connection, code: int, reason: str) -> Event:
        context = self._context(connection, "$disconnect", "DISCONNECT")
        context.update(disconnectStatusCode=code, disconnectReason=reason)
        host = connection.websocket.headers.get("host", "localhost")
        return {
            "headers": {"Host": host},
            "multiValueHeaders": {"Host": [host]},
            "requestContext": context,
            "isBase64Encoded": False,
        }


def _size(message: Mapping[str, Any]) -> int:
    text = message.get("text")
    if text is None:
        return len(message.get("bytes") or b"")
    return len(text.encode("utf-8", "surrogatepass"))


async def _refuse(websocket: WebSocket, status: int, result: Any) -> None:
    """Refuse the handshake with the function's status, where the server can send one."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        body = result.get("body") or "" if isinstance(result, dict) else ""
        denial = Response(body, status_code=status, media_type="application/json")
        await websocket.send_denial_response(denial)
    else:
        await websocket.close(code=1008)
