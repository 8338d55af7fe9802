"""The REST API: routes matched as API Gateway matches resources, each request sent to its function.

A path no route matches goes, as on AWS, to the greedy `/{proxy+}` resource of the
router function, whose answer is the 404; a known path with another method goes to
that path's resource, whose answer is the 405. Bodies over Lambda's 6 MB payload
limit are refused with a 413 before any function runs.
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
from local_runtime.rest_event import bad_gateway, proxy_response, rest_event
from servey_cdk.appspec import ROUTER, AppSpec, RouteSpec
from servey_cdk.errors import PayloadTooLarge

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
PROXY_RESOURCE = "/{proxy+}"
_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Resource:
    """One path template of the API and the routes (methods) defined on it."""

    path: str
    pattern: re.Pattern[str]
    routes: dict[str, RouteSpec]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


def resources_of(spec: AppSpec) -> list[Resource]:
    """Resources with literal paths first, so `/items/new` wins over `/items/{item_id}`."""
    grouped: dict[str, dict[str, RouteSpec]] = {}
    for route in spec.routes:
        grouped.setdefault(route.path, {})[route.method] = route
    resources = [Resource(path, _pattern(path), routes) for path, routes in grouped.items()]
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
        self.invoker = invoker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.respond(Request(scope, receive))
        except ClientDisconnect:
            return  # no one is left to answer
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            error = PayloadTooLarge(f"the request body is over Lambda's {MAX_PAYLOAD_BYTES} bytes")
            return Response(json.dumps(error.body(None)), error.status, media_type="application/json")
        path = request.scope["path"]
        function, resource, parameters = self._target(request.method, path)
        event = rest_event(request, body, resource, parameters)
        try:
            result = await self.invoker.invoke(function, event)
        except Exception:
            log.exception("function %s failed on %s %s", function, request.method, path)
            return bad_gateway()
        return proxy_response(result)

    def _target(self, method: str, path: str) -> tuple[str, str, dict[str, str] | None]:
        """The function, resource template and path parameters a request goes to."""
        resource = self.literal.get(path)  # most requests: no pattern to try
        if resource is not None:
            return self._function(resource, method), resource.path, None
        for resource in self.resources:
            parameters = resource.match(path)
            if parameters is not None:
                return self._function(resource, method), resource.path, parameters
        return ROUTER, PROXY_RESOURCE, {"proxy": path.lstrip("/")}

    @staticmethod
    def _function(resource: Resource, method: str) -> str:
        """The method's function; for another method, the router, whose answer is the 405."""
        route = resource.routes.get(method)
        return route.function if route is not None else ROUTER


async def _read_body(request: Request) -> bytes | None:
    """The body, or None once it passes the payload limit (without reading the rest)."""
    headers = request.headers
    declared = headers.get("content-length")
    if declared is None and "transfer-encoding" not in headers:
        return b""  # HTTP/1.1: a request with neither header has no body
    if declared is not None and declared.isdigit() and int(declared) > MAX_PAYLOAD_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_PAYLOAD_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
