"""The REST API, or the HTTP API: routes matched as API Gateway matches them, each request sent to its
function.

What API Gateway answers by itself, servey-local answers the same way without calling a
function (`servey_cdk.api_gateway`, which the constructs configure API Gateway with): a
path no route matches is a 404, another method of a known path a 405 with `Allow` (or
415 for a body the mock takes no template for), OPTIONS on any resource the CORS
preflight, a missing required query parameter a 422. Bodies over Lambda's 6 MB
payload limit are refused with a 413 before any function runs.

For an app of the HTTP API (`AppSpec.api == "http"`), requests go as payload 2.0 events
(`local_runtime.http_event`), and only the CORS preflight is answered without a function: a
request no route takes goes to the `$default` route's function, whose handler answers the
404 or 405, and a missing query parameter reaches its action (`servey_cdk.http_api`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from local_runtime.http_event import function_failed, http_event, timed_out
from local_runtime.invoker import CallerTimedOut, FunctionInvoker
from local_runtime.lambda_context import new_request_id
from local_runtime.request_body import read_body
from local_runtime.rest_event import bad_gateway, gateway_timeout, media_type, proxy_response, rest_event
from local_runtime.types import Event
from servey_cdk.api_gateway import (
    CORS_ALLOW_ORIGIN,
    INTEGRATION_TIMEOUT_S,
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
from servey_cdk.appspec import HTTP_API, AppSpec, RouteSpec
from servey_cdk.errors import PayloadTooLarge, ServeyError
from servey_cdk.http_api import DEFAULT_ROUTE, default_route_function
from servey_cdk.path_templates import PathTemplate, templates_in_match_order

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class Resource:
    """One path template of the API and the routes (methods) defined on it."""

    template: PathTemplate
    routes: dict[str, RouteSpec]
    required_query: dict[str, tuple[str, ...]]  # by method: what the request validator requires

    @property
    def path(self) -> str:
        return self.template.template


def resources_of(spec: AppSpec) -> list[Resource]:
    """Resources in the order API Gateway matches them (`servey_cdk.path_templates`)."""
    by_path = spec.routes_by_path()
    return [
        Resource(
            template,
            by_path[template.template],
            {method: required_query_parameters(r, spec) for method, r in by_path[template.template].items()},
        )
        for template in templates_in_match_order(by_path)
    ]


class RestApi:
    """An ASGI app serving every route of the spec through the Lambda handler, as the spec's API
    flavour does."""

    def __init__(
        self, spec: AppSpec, invoker: FunctionInvoker, integration_timeout_s: float = INTEGRATION_TIMEOUT_S
    ) -> None:
        self.integration_timeout_s = integration_timeout_s
        self.resources = resources_of(spec)
        self.literal = {resource.path: resource for resource in self.resources if "{" not in resource.path}
        self.ancestors = [PathTemplate(path) for path in _ancestor_paths(spec)]
        self.invoker = invoker
        self.http = spec.api == HTTP_API
        self.default_function = default_route_function(spec) if self.http and spec.routes else None
        # API Gateway's own request id: the REST API's header, or the HTTP API's.
        self.request_id_header = b"apigw-requestid" if self.http else b"x-amzn-requestid"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.respond(Request(scope, receive))
        except ClientDisconnect:
            return  # no one is left to answer
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The answer, with API Gateway's request id in `x-amzn-RequestId` (`apigw-requestid` from
        an HTTP API) as on AWS."""
        request_id = new_request_id()
        response = await self._answer(request, request_id)
        response.raw_headers.append((self.request_id_header, request_id.encode("ascii")))
        return response

    async def _answer(self, request: Request, request_id: str) -> Response:
        body = await read_body(request, MAX_PAYLOAD_BYTES)
        if body is None:
            error = PayloadTooLarge(f"the request body is over Lambda's {MAX_PAYLOAD_BYTES} bytes")
            return Response(json.dumps(error.body(request_id)), error.status, media_type="application/json")
        method, path = request.method, request.scope["path"]
        raw_path = _raw_path(request.scope)
        resource, parameters = self._resource(path, raw_path)
        if self.http:
            return await self._http_answer(request, body, request_id, resource, parameters, raw_path)
        if method == "OPTIONS" and (resource is not None or self._is_ancestor(raw_path)):
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
        return await self._invoke(route.function, event, f"{method} {path}", bad_gateway, gateway_timeout)

    async def _http_answer(
        self,
        request: Request,
        body: bytes,
        request_id: str,
        resource: Resource | None,
        parameters: dict[str, str] | None,
        raw_path: str,
    ) -> Response:
        """As an HTTP API answers: its CORS preflight itself, anything else through a function."""
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=preflight_headers())
        route = resource.routes.get(request.method) if resource is not None else None
        if route is None:
            function, route_key, parameters = self.default_function, DEFAULT_ROUTE, None
        else:
            function, route_key = route.function, route.key
        if function is None:  # an app without routes has no HTTP API: API Gateway's own 404
            return Response(b'{"message":"Not Found"}', 404, media_type="application/json")
        event = http_event(request, body, route_key, raw_path, parameters, request_id)
        what = f"{request.method} {request.scope['path']}"
        return await self._invoke(function, event, what, function_failed, timed_out)

    async def _invoke(
        self,
        function: str,
        event: Event,
        what: str,
        failed: Callable[[], Response],
        timeout: Callable[[], Response],
    ) -> Response:
        """The function's answer to `event`, or the gateway's own when it fails or is too slow."""
        try:
            result = await self.invoker.invoke(function, event, wait_s=self.integration_timeout_s)
        except CallerTimedOut:
            log.error("function %s gave no answer to %s in %s s", function, what, self.integration_timeout_s)
            return timeout()
        except Exception:
            log.exception("function %s failed on %s", function, what)
            return failed()
        return proxy_response(result, failed)

    def _is_ancestor(self, raw_path: str) -> bool:
        """Whether `path` is a resource only as a step on the way to routes (`/actions`, `/`)."""
        return any(template.match(raw_path) is not None for template in self.ancestors)

    def _resource(self, path: str, raw_path: str) -> tuple[Resource | None, dict[str, str] | None]:
        """The resource a path is on, and its path parameters as sent (percent-encoded), as API
        Gateway puts them in the event; the handler decodes them."""
        resource = self.literal.get(path)  # most requests: no template to try
        if resource is not None:
            return resource, None
        for resource in self.resources:
            parameters = resource.template.match(raw_path)
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


def _raw_path(scope: Scope) -> str:
    """The path as the client sent it, percent-encoding kept (ASGI's `path` is decoded)."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1").partition("?")[0] if raw else str(scope["path"])


def _gateway_answer(error: ServeyError, request_id: str, headers: dict[str, str] | None = None) -> Response:
    """An answer API Gateway gives by itself, naming its own request id."""
    return Response(
        error_body(error, request_id),
        error.status,
        {"Access-Control-Allow-Origin": CORS_ALLOW_ORIGIN, **(headers or {})},
        media_type="application/json",
    )
