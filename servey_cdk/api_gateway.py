"""What the REST API answers by itself, before any function runs: unknown paths, other methods
of a known path, requests missing a required query parameter, and CORS preflights.

The constructs configure API Gateway with these answers (gateway responses, a mock `ANY`
method on each resource, the request validator, CORS preflight mocks) and servey-local
gives the same ones, so a client sees one behaviour locally and on AWS. Their bodies are
the runtime's error bodies, so a 404, 405 or 422 reads alike wherever it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from servey_cdk.errors import InvalidInput, MethodNotAllowed, NotFound, ServeyError

if TYPE_CHECKING:
    from servey_cdk.appspec import AppSpec, RouteSpec

CORS_ALLOW_HEADERS = ("Content-Type", "Authorization", "If-None-Match")
CORS_ALLOW_METHODS = ("OPTIONS", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD")  # the CDK's ALL_METHODS
CORS_ALLOW_ORIGIN = "*"
BODY_METHODS = ("POST", "PUT", "PATCH")
INTEGRATION_TIMEOUT_S = 29  # how long API Gateway waits for a function before it answers 504
# The request bodies the 405 mock takes; API Gateway answers another type with 415.
MOCK_CONTENT_TYPES = (
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "application/octet-stream",
    "application/xml",
)
UNSUPPORTED_MEDIA_TYPE_BODY = '{"message":"Unsupported Media Type"}'

# The $context variables API Gateway fills in its own answers; servey-local fills in its values.
# A path is not among them: a gateway response fills variables in without escaping them for JSON.
METHOD, REQUEST_ID = "$context.httpMethod", "$context.requestId"
ERROR_MESSAGE = "$context.error.messageString"  # the error's message as a quoted JSON string


def no_route(method: str) -> NotFound:
    return NotFound(f"no route for {method} at this path")


def allowed_methods(methods: Iterable[str]) -> str:
    """The `Allow` header of a path: its routes' methods, and the preflight's OPTIONS."""
    return ", ".join([*methods, "OPTIONS"])


def method_not_allowed(path: str, allow: str, method: str) -> MethodNotAllowed:
    return MethodNotAllowed(f"{path} allows {allow}, not {method}")


def required_query_parameters(route: RouteSpec, spec: AppSpec) -> tuple[str, ...]:
    """The query parameters the request validator requires: those the action's schema requires,
    on a method without a body (a body method may take them from its body)."""
    if route.method in BODY_METHODS:
        return ()
    required = spec.action(route.action).params_schema.get("required", ())
    return tuple(name for name in required if name not in route.path_params)


def missing_parameters(message: str) -> InvalidInput:
    """The request validator's refusal, in the shape of the runtime's own 422."""
    return InvalidInput(message, [{"loc": ["query"], "msg": message, "type": "missing"}])


def missing_parameters_message(names: Iterable[str]) -> str:
    """What API Gateway's error message says of missing query parameters."""
    return f"Missing required request parameters: [{', '.join(names)}]"


def error_body(error: ServeyError, request_id: str) -> str:
    """The JSON body; `ERROR_MESSAGE` in it stands unquoted, as API Gateway quotes its value itself."""
    return json.dumps(error.body(request_id)).replace(json.dumps(ERROR_MESSAGE), ERROR_MESSAGE)


def preflight_headers() -> dict[str, str]:
    """The headers of the 204 that answers an OPTIONS request on any route's path."""
    return {
        "Access-Control-Allow-Headers": ",".join(CORS_ALLOW_HEADERS),
        "Access-Control-Allow-Methods": ",".join(CORS_ALLOW_METHODS),
        "Access-Control-Allow-Origin": CORS_ALLOW_ORIGIN,
    }
