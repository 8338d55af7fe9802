"""API Gateway HTTP API (payload format 2.0): the event it sends a Lambda integration, and what it
answers itself when the function fails.

The event has the keys of a real one, and leaves out those AWS leaves out: no
`queryStringParameters`, `pathParameters`, `cookies` or `body` when the request has
none. Header names are lowercase, and a repeated header's values are joined with
commas, as are a repeated query key's; the `Cookie` header becomes `cookies`, one
entry per cookie. `rawPath` and `rawQueryString` are as the client sent them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from local_runtime.lambda_context import ACCOUNT_ID
from local_runtime.rest_event import API_ID, event_body, request_time
from local_runtime.types import Event
from servey_cdk.http_api import FUNCTION_FAILED, PAYLOAD_VERSION, STAGE, TIMED_OUT


def http_event(
    request: Request,
    body: bytes,
    route_key: str,
    raw_path: str,
    path_parameters: Mapping[str, str] | None,
    request_id: str,
) -> Event:
    """The event of `route_key` (`GET /items/{item_id}`, or `$default` for a request no route takes)."""
    scope = request.scope
    headers, cookies = _headers(scope["headers"])
    raw_query = scope["query_string"].decode("latin-1")
    now = time.time()
    client = scope.get("client")
    event: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": API_ID,
            "http": {
                "method": scope["method"],
                "path": raw_path,
                "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
                "sourceIp": client[0] if client else "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": STAGE,
            "time": request_time(now),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query = _query(raw_query)
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    text_body, is_base64 = event_body(body, headers.get("content-type", ""))
    if text_body is not None:
        event["body"], event["isBase64Encoded"] = text_body, is_base64
    return event


def _headers(raw: list[tuple[bytes, bytes]]) -> tuple[dict[str, str], list[str]]:
    """The headers, a repeated one's values joined with commas, and the cookies apart."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for raw_name, raw_value in raw:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name == "cookie":
            cookies += [cookie.strip() for cookie in value.split(";") if cookie.strip()]
        else:
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers, cookies


def _query(raw_query: str) -> dict[str, str]:
    """Each key's values, decoded and joined with commas (the handler reads repeats from the raw string)."""
    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def function_failed() -> Response:
    """What an HTTP API answers when the function fails or returns something malformed."""
    status, body = FUNCTION_FAILED
    return Response(body.encode(), status, media_type="application/json")


def timed_out() -> Response:
    """What an HTTP API answers when the function gives no answer within its integration timeout."""
    status, body = TIMED_OUT
    return Response(body.encode(), status, media_type="application/json")
