"""API Gateway proxy events (REST v1 and HTTP API v2) read the same way, and their responses.

Both versions answer with the same keys (`statusCode`, `headers`, `body`,
`isBase64Encoded`), so one response shape serves both. Header names are matched
without regard to case: v2 sends them lowercased, v1 as the client wrote them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from servey_cdk.errors import InvalidInput, PayloadTooLarge, ServeyError
from servey_cdk.json_input import parse_json
from servey_cdk.wire import CORS_ORIGIN

MAX_BODY_BYTES = 6 * 1024 * 1024  # Lambda's synchronous payload limit
FORM = "application/x-www-form-urlencoded"
Headers = Mapping[str, str]


def cors_origin() -> str:
    return os.environ.get(CORS_ORIGIN, "*")


def request_headers(headers: Headers, lowercased: bool) -> tuple[str | None, str | None]:
    """`Authorization` and `If-None-Match`, in whatever case the client wrote them.

    `lowercased` headers (HTTP API's) need one lookup each; otherwise the common
    spellings are tried first, and the names are lowered only when those miss.
    """
    if lowercased:
        return headers.get("authorization"), headers.get("if-none-match")
    authorization = headers.get("Authorization") or headers.get("authorization")
    if_none_match = headers.get("If-None-Match") or headers.get("if-none-match")
    if authorization is None or if_none_match is None:
        for name in headers:
            if len(name) == 13:  # the length of both names: most headers are passed over unlowered
                lowered = name.lower()
                if lowered == "authorization" and authorization is None:
                    authorization = headers[name]
                elif lowered == "if-none-match" and if_none_match is None:
                    if_none_match = headers[name]
    return authorization, if_none_match


def query_v2(event: Mapping[str, Any]) -> tuple[Mapping[str, str], Mapping[str, list[str]] | None]:
    """Single and multiple query values of an HTTP API event.

    HTTP API joins repeated values with commas, so a value holding a comma is read
    again from the raw query string, where repeats and commas are told apart.
    """
    single: Mapping[str, str] = event.get("queryStringParameters") or {}
    if not any("," in value for value in single.values()):
        return single, None
    from urllib.parse import parse_qsl

    multi: dict[str, list[str]] = {}
    for key, value in parse_qsl(event.get("rawQueryString", ""), keep_blank_values=True):
        multi.setdefault(key, []).append(value)
    return {key: values[-1] for key, values in multi.items()}, multi


def body_json(event: Mapping[str, Any], action: str) -> Any:
    """The request's body as JSON values, or None when it has none.

    A JSON body is parsed; an HTML form (`application/x-www-form-urlencoded`, as OAuth2's
    token requests are sent) becomes an object of its fields, a repeated field a list.
    """
    body = event.get("body")
    if not body:
        return None
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body for action {action!r} is over {MAX_BODY_BYTES} bytes")
    if event.get("isBase64Encoded"):
        import base64
        import binascii

        try:
            body = base64.b64decode(body, validate=True)
        except binascii.Error:
            raise _invalid_body(action, "the body is not valid base64") from None
    if _content_type(event) == FORM:
        return _form_fields(body if isinstance(body, str) else body.decode("utf-8", "replace"))
    return parse_json(body, f"invalid body for action {action!r}: the body", ["body"])


def _content_type(event: Mapping[str, Any]) -> str:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "content-type":
            return str(value).partition(";")[0].strip().lower()
    return ""


def _form_fields(text: str) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    fields: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        previous = fields.get(name)
        if previous is None:
            fields[name] = value
        else:
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return fields


def _invalid_body(action: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"invalid body for action {action!r}: {message}",
        [{"loc": ["body"], "msg": message, "type": "json_invalid"}],
    )


def response(status: int, body: str, headers: dict[str, str]) -> dict[str, Any]:
    return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}


def error_response(
    error: ServeyError, request_id: str, extra: Mapping[str, str] | None = None
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Access-Control-Allow-Origin": cors_origin()}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"  # RFC 6750: how to authenticate
    if extra:
        headers.update(extra)
    return response(error.status, json.dumps(error.body(request_id), default=str), headers)
