"""API Gateway REST (v1) proxy integration: the event it sends and the response it expects.

The event has the fields and the nulls of a real one: `queryStringParameters` and
`pathParameters` are null when empty, `headers` keeps the last value of a repeated
header and `multiValueHeaders` all of them. Text bodies are passed as they are,
others base64-encoded.
"""

from __future__ import annotations

import base64
import functools
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from local_runtime.lambda_context import ACCOUNT_ID
from local_runtime.types import Event

STAGE = "local"
API_ID = "local"
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
_TEXT_SUFFIXES = ("+json", "+xml")


def rest_event(
    request: Request, body: bytes, resource: str, path_parameters: Mapping[str, str] | None, request_id: str
) -> Event:
    scope = request.scope
    headers, multi_headers = _headers(scope["headers"])
    query, multi_query = _query(scope["query_string"])
    now = time.time()
    path, method = scope["path"], scope["method"]
    text_body, is_base64 = event_body(body, headers.get("content-type", ""))
    client = scope.get("client")
    source_ip = client[0] if client else "127.0.0.1"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "path": f"/{STAGE}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
            "stage": STAGE,
            "domainPrefix": API_ID,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": _identity(source_ip, headers.get("user-agent")),
            "domainName": headers.get("host", "localhost"),
            "deploymentId": "local",
            "apiId": API_ID,
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def request_time(epoch: float) -> str:
    """API Gateway's `requestTime` format, e.g. `14/May/2024:12:01:15 +0000`."""
    return _request_time(int(epoch))


@functools.lru_cache(maxsize=1)  # requests within one second share it
def _request_time(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _identity(source_ip: str, user_agent: str | None) -> dict[str, Any]:
    keys = (
        "cognitoIdentityPoolId",
        "accountId",
        "cognitoIdentityId",
        "caller",
        "principalOrgId",
        "accessKey",
        "cognitoAuthenticationType",
        "cognitoAuthenticationProvider",
        "userArn",
        "user",
    )
    return {**dict.fromkeys(keys), "sourceIp": source_ip, "userAgent": user_agent}


@functools.lru_cache(maxsize=1024)
def raw_header_name(name: str) -> bytes:
    """A response header's name as ASGI sends it: lowercased bytes."""
    return name.lower().encode("latin-1")


def _headers(raw: list[tuple[bytes, bytes]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """`headers` (the last value of each) and `multiValueHeaders` (every value), in one pass.

    Names are lowercase: API Gateway passes names on as they arrived, and ASGI servers give
    them lowercased, as HTTP/2 clients (browsers, CloudFront in front of API Gateway) send them."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for raw_name, raw_value in raw:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if name in single:
            multi[name].append(value)
        else:
            multi[name] = [value]
        single[name] = value
    return single, multi


def _query(query_string: bytes) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not query_string:
        return None, None
    text = query_string.decode("latin-1")
    if "%" in text or "+" in text:
        pairs = parse_qsl(text, keep_blank_values=True)
    else:  # nothing to unquote: the split parse_qsl would make, without its cost
        split = (part.partition("=") for part in text.split("&") if part)
        pairs = [(name, value) for name, _, value in split]
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def media_type(content_type: str) -> str:
    """`text/html; charset=utf-8` → `text/html`; empty when no type is given."""
    return content_type.partition(";")[0].strip().lower()


def event_body(body: bytes, content_type: str) -> tuple[str | None, bool]:
    """The body as an event carries it: text as it is, anything else base64-encoded."""
    if not body:
        return None, False
    kind = media_type(content_type)
    if kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES) or not kind:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def proxy_response(result: Any, failed: Callable[[], Response] | None = None) -> Response:
    """The HTTP response API Gateway makes of a proxy integration's result.

    Headers of `multiValueHeaders` (REST) or `cookies` (an HTTP API's, each a `Set-Cookie`) and
    `headers` are merged, a pair given in both appearing once, as API Gateway does. A result that
    is not a proxy response is `failed()`: the REST API's 502 unless told otherwise.
    """
    failed = failed or bad_gateway
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return failed()
    body = result.get("body") or ""
    try:
        content = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    except ValueError:
        return failed()
    pairs: dict[tuple[bytes, bytes], None] = {}  # ordered, a pair given twice kept once
    try:
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                pairs[raw_header_name(name), str(value).encode("latin-1")] = None
        for cookie in result.get("cookies") or ():
            pairs[b"set-cookie", str(cookie).encode("latin-1")] = None
        for name, value in (result.get("headers") or {}).items():
            pairs[raw_header_name(name), str(value).encode("latin-1")] = None
    except (AttributeError, TypeError, UnicodeEncodeError):  # not a mapping, or not HTTP's characters
        return failed()
    raw = [(b"content-length", str(len(content)).encode())]
    raw += [pair for pair in pairs if pair[0] != b"content-length"]
    if content and not any(name == b"content-type" for name, _ in raw):
        raw.append((b"content-type", b"application/json"))
    return ProxyResponse(content, result["statusCode"], raw)


class ProxyResponse(Response):
    """A response whose headers are complete as given: what API Gateway sends on."""

    def __init__(self, content: bytes, status_code: int, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status_code
        self.body = content
        self.background = None
        self.raw_headers = raw_headers


def bad_gateway() -> Response:
    """What API Gateway answers when the function fails or returns something malformed."""
    return Response(b'{"message": "Internal server error"}', 502, media_type="application/json")


def gateway_timeout() -> Response:
    """What API Gateway answers when the function gives no answer within its integration timeout."""
    return Response(b'{"message": "Endpoint request timed out"}', 504, media_type="application/json")
