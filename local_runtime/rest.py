"""The REST API: routes matched as API Gateway matches resources, each request sent to its function.

What API Gateway answers by itself, servey-local answers the same way without calling a
function (`servey_cdk.api_gateway`, which the constructs configure API Gateway with): a
path no route matches is a 404, another method of a known path a 405 with `Allow` (or
415 for a body the mock takes no template for), OPTIONS on any resource the CORS
preflight, a missing required query parameter a 422. Bodies over Lambda's 6 MB
payload limit are refused with a 413 before any function runs.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import new_request_id
from local_runtime.request_body import read_body
from local_runtime.rest_event import bad_gateway, media_type, proxy_response, rest_event
from servey_cdk.api_gateway import (
    CORS_ALLOW_ORIGIN,
    MOCK_CONTENT_TYPES,
    UNSUPPORTED_MEDIA_TYPE_BODY,
    allowed_methods,
    error_body,
    method_not_allowed,
    missing_parameters,
    missing_parameters_message,
    no_route,
    preflight_headers,
    required_query_parameters,
)
from servey_cdk.appspec import AppSpec, RouteSpec
from servey_cdk.errors import PayloadTooLarge, ServeyError

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Resource:
    """One path template of the API and the routes (methods) defined on it."""

    path: str
    pattern: re.Pattern[str]
    routes: dict[str, RouteSpec]
    required_query: dict[str, tuple[str, ...]]  # by method: what the request validator requires

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


def resources_of(spec: AppSpec) -> list[Resource]:
    """Resources with literal paths first, so `/items/new` wins over `/items/{item_id}`."""
    resources = [
        Resource(
            path,
            _pattern(path),
            routes,
            {method: required_query_parameters(route, spec) for method, route in routes.items()},
        )
        for path, routes in spec.routes_by_path().items()
    ]
    return sorted(resources, key=lambda resource: (resource.path.count("{"), resource.path))


def _pattern(path: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(path)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(regex + "/?")


class RestApi:
    """An ASGI app serving every route of the spec through the Lambda handler."""

    def __init__(self, spec: AppSpec, invoker: FunctionInvoker) -> None:
        self.resources = resources_of(spec)
        self.literal = {resource.path: resource for resource in self.resources if "{" not in resource.path}
        self.ancestors = [_pattern(path) for path in _ancestor_paths(spec)]
        self.invoker = invoker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.respond(Request(scope, receive))
        except ClientDisconnect:
            return  # no one is left to answer
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The answer, with API Gateway's request id in `x-amzn-RequestId` as on AWS."""
        request_id = new_request_id()
        response = await self._answer(request, request_id)
        response.raw_headers.append((b"x-amzn-requestid", request_id.encode("ascii")))
        return response

    async def _answer(self, request: Request, request_id: str) -> Response:
        body = await read_body(request, MAX_PAYLOAD_BYTES)
        if body is None:
            error = PayloadTooLarge(f"the request body is over Lambda's {MAX_PAYLOAD_BYTES} bytes")
            return Response(json.dumps(error.body(request_id)), error.status, media_type="application/json")
        method, path = request.method, request.scope["path"]
        resource, parameters = self._resource(path)
        if method == "OPTIONS" and (resource is not None or self._is_ancestor(path)):
            return Response(status_code=204, headers=preflight_headers())  # every resource has one
        if resource is None:
            return _gateway_answer(no_route(method), request_id)
        route = resource.routes.get(method)
        if route is None:
            # API Gateway picks the mock's template by media type, JSON when none is given.
            given = media_type(request.headers.get("content-type", "")) or "application/json"
            if given not in MOCK_CONTENT_TYPES:
                return Response(UNSUPPORTED_MEDIA_TYPE_BODY, 415, media_type="application/json")
            allow = allowed_methods(resource.routes)
            refusal = method_not_allowed(resource.path, allow, method)
            return _gateway_answer(refusal, request_id, {"Allow": allow})
        event = rest_event(request, body, resource.path, parameters, request_id)
        required = resource.required_query[method]
        if required:
            query = event["queryStringParameters"] or {}
            missing = [name for name in required if not query.get(name)]  # absent or blank, as AWS checks
            if missing:
                return _gateway_answer(missing_parameters(missing_parameters_message(missing)), request_id)
        try:
            result = await self.invoker.invoke(route.function, event)
        except Exception:
            log.exception("function %s failed on %s %s", route.function, method, path)
            return bad_gateway()
        return proxy_response(result)

    def _is_ancestor(self, path: str) -> bool:
        """Whether `path` is a resource only as a step on the way to routes (`/actions`, `/`)."""
        return any(pattern.fullmatch(path) for pattern in self.ancestors)

    def _resource(self, path: str) -> tuple[Resource | None, dict[str, str] | None]:
        """The resource a path is on, and its path parameters."""
        resource = self.literal.get(path)  # most requests: no pattern to try
        if resource is not None:
            return resource, None
        for resource in self.resources:
            parameters = resource.match(path)
            if parameters is not None:
                return resource, parameters
        return None, None


def _ancestor_paths(spec: AppSpec) -> set[str]:
    """The resources API Gateway creates between the root and each route's path, the root included."""
    paths = {"/"}
    for route in spec.routes:
        segments = route.path.strip("/").split("/")
        paths.update("/" + "/".join(segments[:length]) for length in range(1, len(segments)))
    return paths - {route.path for route in spec.routes}


def _gateway_answer(error: ServeyError, request_id: str, headers: dict[str, str] | None = None) -> Response:
    """An answer API Gateway gives by itself, naming its own request id."""
    return Response(
        error_body(error, request_id),
        error.status,
        {"Access-Control-Allow-Origin": CORS_ALLOW_ORIGIN, **(headers or {})},
        media_type="application/json",
    )
