"""API Gateway proxy requests' bodies, and the responses of both versions.

Both versions answer with the same keys (`statusCode`, `headers`, `body`,
`isBase64Encoded`), so one response shape serves both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.request import FORM, HttpRequest
from servey_cdk.errors import InvalidInput, PayloadTooLarge, ResponseTooLarge, ServeyError
from servey_cdk.json_input import parse_json
from servey_cdk.wire import CORS_ORIGIN

MAX_BODY_BYTES = 6 * 1024 * 1024  # Lambda's synchronous payload limit
MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # the same limit on the way back: the response's whole JSON


def cors_origin() -> str:
    return os.environ.get(CORS_ORIGIN, "*")


def body_json(request: HttpRequest, action: str) -> Any:
    """The request's body as JSON values, or None when it has none.

    A JSON body is parsed; an HTML form (`application/x-www-form-urlencoded`, as OAuth2's
    token requests are sent) becomes an object of its fields, a repeated field a list.
    """
    body: str | bytes | None = request.body
    if not body:
        return None
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body for action {action!r} is over {MAX_BODY_BYTES} bytes")
    if request.is_base64:
        import base64
        import binascii

        try:
            body = base64.b64decode(body, validate=True)
        except binascii.Error:
            raise _invalid_body(action, "the body is not valid base64") from None
    if request.content_type == FORM:
        return _form_fields(body if isinstance(body, str) else body.decode("utf-8", "replace"))
    return parse_json(body, f"invalid body for action {action!r}: the body", ["body"])


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


def over_response_limit(body: str | bytes, headers: Mapping[str, str]) -> bool:
    """Whether Lambda would refuse to return a proxy response of `body` (its JSON over 6 MB). A
    body under a sixth of the limit fits even with every character escaped (`\\uXXXX`), so most
    answers are not serialized a second time to be measured."""
    if len(body) < MAX_RESPONSE_BYTES // 6:
        return False
    text = body.decode() if isinstance(body, bytes) else body
    payload = {"statusCode": 200, "headers": {**headers, "ETag": '"' + "0" * 32 + '"'}, "body": text}
    return len(json.dumps({**payload, "isBase64Encoded": False})) > MAX_RESPONSE_BYTES


def response_too_large(action: str) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"the response of action {action!r} is over Lambda's {MAX_RESPONSE_BYTES}-byte response limit"
    )


def error_response(
    error: ServeyError, request_id: str, extra: Mapping[str, str] | None = None
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Access-Control-Allow-Origin": cors_origin()}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"  # RFC 6750: how to authenticate
    if extra:
        headers.update(extra)
    return response(error.status, json.dumps(error.body(request_id), default=str), headers)
