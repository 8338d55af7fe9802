"""API Gateway REST (v1 proxy) and HTTP API (v2) events: route, call, answer.

Routing is a dict lookup over the spec's routes: API Gateway has matched the route
already and says which (`resource` and `httpMethod` in v1, `routeKey` in v2). Both
versions are one source, `ApiGatewaySource`. What a route needs per request
(which parameters take every query value, which are JSON text, the fixed response
headers) is worked out on its first request and kept.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from servey_cdk.annotations import is_union, unwrap_optional
from servey_cdk.api_gateway import allowed_methods, method_not_allowed, no_route, preflight_headers
from servey_cdk.authorization import Authorization
from servey_cdk.aws.http import (
    MAX_BODY_BYTES,
    body_json,
    cors_origin,
    error_response,
    over_response_limit,
    response,
    response_too_large,
)
from servey_cdk.aws.request import FORM, HttpRequest
from servey_cdk.aws.runtime import Runtime
from servey_cdk.aws.session import session_answer, session_token, wants_session
from servey_cdk.cache_control import TimestampCacheControl, etag, etag_matches, http_date, not_modified_since
from servey_cdk.discovery import Registry, is_record_type
from servey_cdk.errors import InvalidInput, ServeyError
from servey_cdk.invocation import ActionRunner
from servey_cdk.json_input import parse_json
from servey_cdk.path_templates import PathTemplate, decoded_parameters, templates_in_match_order
from servey_cdk.responses import NO_BODY_STATUSES, Response

if TYPE_CHECKING:
    from servey_cdk.authenticator import TokenResponse
    from servey_cdk.aws.page import PageRenderer

_MULTI_VALUED = (list, set, frozenset, tuple)
_SCALARS = (str, int, float, bool, type(None))


class Endpoint:
    """One route made ready to serve. What its requests need is worked out on the first one,
    so a router over many actions builds only the endpoints it is asked for."""

    __slots__ = (
        *("action", "body_param", "headers", "is_page", "issues_tokens", "json_valued", "method"),
        *("multi_valued", "one_pass", "path", "path_params", "runner", "status", "template", "timestamped"),
    )

    def __init__(self, route: Mapping[str, Any]) -> None:
        """`route` is a `RouteSpec`'s JSON form."""
        self.action: str = route["action"]
        self.method: str = route["method"]
        self.path: str = route["path"]
        self.path_params: tuple[str, ...] = tuple(route["path_params"])
        self.is_page: bool = route["kind"] == "page"
        self.template: str | None = route["template"]
        self.status: int = route["status"]
        self.runner: ActionRunner | None = None
        self.multi_valued: frozenset[str] = frozenset()  # parameters taking every value of a query key
        self.json_valued: frozenset[str] = frozenset()  # parameters whose query text is JSON (models, dicts)
        self.body_param: str | None = None  # the one model parameter a whole JSON body may stand for
        # Whether a JSON body alone may go to pydantic's parser in one pass: not where an optional body
        # parameter would take its default while the body, standing for it, went unread.
        self.one_pass = True
        self.headers: dict[str, str] = {}
        self.issues_tokens = False  # a token action: a browser's form may ask it for a session
        self.timestamped: TimestampCacheControl | None = None  # sends Last-Modified, answers 304s by it

    def prepare(self, registry: Registry) -> ActionRunner:
        runner = registry.runner(self.action)
        inputs = runner.signature.inputs
        self.multi_valued = frozenset(p.name for p in inputs if _origin(p.annotation) in _MULTI_VALUED)
        self.json_valued = frozenset(
            p.name for p in inputs if p.name not in self.multi_valued and not _is_text(p.annotation)
        )
        body_inputs = [p for p in inputs if p.name not in self.path_params]
        if len(body_inputs) == 1 and _is_record(body_inputs[0].annotation):
            self.body_param = body_inputs[0].name
            self.one_pass = body_inputs[0].required
        self.headers = {
            "Content-Type": "text/html; charset=utf-8" if self.is_page else "application/json",
            "Cache-Control": runner.action.cache_control.cache_header(),
            "Access-Control-Allow-Origin": cors_origin(),
        }
        self.issues_tokens = runner.action.issues_tokens
        control = runner.action.cache_control
        self.timestamped = control if isinstance(control, TimestampCacheControl) else None
        self.runner = runner
        return runner


class RestAdapter:
    """The routes of the spec that this function serves, for both API Gateway flavours."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        endpoints = [Endpoint(route) for route in runtime.entries("routes")]
        self._endpoints = {(e.method, e.path): e for e in endpoints}
        # Every route of the app, not only this function's: an HTTP API's `$default` route sends one
        # function the requests no route takes, and its 405's `Allow` names every method of the path.
        self._methods: dict[str, list[str]] = {}
        for route in runtime.spec["routes"]:
            self._methods.setdefault(route["path"], []).append(route["method"])
        self._pages: PageRenderer | None = None
        self._templates: list[PathTemplate] | None = None

    def serve(self, request: HttpRequest, request_id: str) -> dict[str, Any]:
        endpoint = self._endpoints.get((request.method, request.path))
        if endpoint is None and request.path not in self._methods:
            endpoint = self._route_by_path(request)
        method, path = request.method, request.path
        authorization_header = request.headers.get("authorization")
        try:
            if endpoint is None:
                return self._unrouted(method, path, request_id)
            runner = endpoint.runner or endpoint.prepare(self.runtime.registry)
            text = _json_alone(endpoint, request)
            validated = runner.validate_json(text) if text is not None else None
            params = self._params(endpoint, request) if validated is None else validated
            if endpoint.issues_tokens and wants_session(params):
                return session_answer(
                    params, request.headers.lowered(), lambda form: self._issue(runner, form, request_id)
                )
            authorization = self.runtime.verify_bearer(authorization_header)
            if endpoint.is_page:
                if authorization_header is None:  # a browser's page view: its session, if it has one
                    authorization = self.runtime.verify_token(session_token(request))
                view = {"query": dict(request.query), "path_params": dict(request.path_params)}
                page = self._page(endpoint, runner, params, view, authorization, request_id)
                if over_response_limit(page["body"], page["headers"]):
                    raise response_too_large(endpoint.action)
                return page
            result = runner.invoke(
                params,
                authorization=authorization,
                source="rest",
                request_id=request_id,
                validated=validated is not None,
            )
            if type(result) is Response:
                return self._response(endpoint, runner, result, request)
            body = runner.dump_json(result)
            if over_response_limit(body, endpoint.headers):
                raise response_too_large(endpoint.action)
        except ServeyError as error:
            self.runtime.report(error, path=path, method=method)
            if endpoint is not None and endpoint.is_page:
                from servey_cdk.aws.page import error_page

                return error_page(error, request_id)
            return error_response(error, request_id)
        if endpoint.status != 200:
            text = "" if endpoint.status in NO_BODY_STATUSES else body.decode()
            return response(endpoint.status, text, endpoint.headers)
        if method != "GET":  # tags and dates are for conditional GETs: an answer to a change has none
            return response(200, body.decode(), endpoint.headers)
        tag = etag(body)
        headers = {**endpoint.headers, "ETag": tag}
        modified = endpoint.timestamped.last_modified(result) if endpoint.timestamped else None
        if modified is not None:
            headers["Last-Modified"] = http_date(modified)
        if _not_modified(request, tag, modified):
            return response(304, "", headers)
        return response(200, body.decode(), headers)

    def _response(
        self, endpoint: Endpoint, runner: ActionRunner, result: Response[Any], request: HttpRequest
    ) -> dict[str, Any]:
        """The proxy response of an action's `Response`: its status, its headers over the route's,
        and its cookies where each API Gateway flavour takes them."""
        headers = {**endpoint.headers, **result.headers}
        text = ""
        if result.status not in NO_BODY_STATUSES:
            body = runner.dump_json(result.body)
            if over_response_limit(body, headers):
                raise response_too_large(endpoint.action)
            text = body.decode()
        answer = response(result.status, text, headers)
        if result.cookies:
            if request.event.get("version") == "2.0":
                answer["cookies"] = list(result.cookies)
            else:
                answer["multiValueHeaders"] = {"Set-Cookie": list(result.cookies)}
        return answer

    def _route_by_path(self, request: HttpRequest) -> Endpoint | None:
        """For an event of a resource that is not a route's (a greedy `{proxy+}`, an HTTP API's
        `$default` route, a function URL): the route its path is on, with the path's parameters."""
        if self._templates is None:
            self._templates = templates_in_match_order(self._methods)
        raw_path = request.raw_path
        for template in self._templates:
            parameters = template.match(raw_path)
            if parameters is not None:
                request.path, request.path_params = template.template, decoded_parameters(parameters)
                return self._endpoints.get((request.method, template.template))
        return None

    def _issue(self, runner: ActionRunner, form: dict[str, Any], request_id: str) -> TokenResponse:
        issued: TokenResponse = runner.invoke(form, authorization=None, source="rest", request_id=request_id)
        return issued

    def _unrouted(self, method: str, path: str, request_id: str) -> dict[str, Any]:
        """What API Gateway answers itself (`servey_cdk.api_gateway`), for events that reach a function
        anyway: a greedy `{proxy+}` resource, an HTTP API's `$default` route."""
        methods = self._methods.get(path)
        if methods is None or method in methods:  # no such path, or a route of another function's
            raise no_route(method)
        if method == "OPTIONS":
            return response(204, "", {**preflight_headers(), "Access-Control-Allow-Origin": cors_origin()})
        allow = allowed_methods(methods)
        return error_response(method_not_allowed(path, allow, method), request_id, {"Allow": allow})

    def _params(self, endpoint: Endpoint, request: HttpRequest) -> dict[str, Any]:
        """Body, then query, then path parameters; a later source wins a name."""
        body = body_json(request, endpoint.action) if request.body else None
        if body is None:
            params: dict[str, Any] = {}
        elif endpoint.body_param is not None and not (isinstance(body, dict) and endpoint.body_param in body):
            params = {endpoint.body_param: body}
        elif isinstance(body, dict):
            params = body
        else:
            raise InvalidInput(
                f"invalid body for action {endpoint.action!r}: expected a JSON object",
                [{"loc": ["body"], "msg": "expected a JSON object", "type": "dict_type"}],
            )
        query, multi = request.query, request.multi_query
        if query:
            params.update(query)
            if endpoint.multi_valued:
                for name in endpoint.multi_valued.intersection(query):
                    params[name] = multi[name] if multi and name in multi else [query[name]]
            if endpoint.json_valued:
                for name in endpoint.json_valued.intersection(query):
                    params[name] = _json_parameter(endpoint.action, name, query[name])
        if request.path_params:
            params.update(request.path_params)
        return params

    def _page(
        self,
        endpoint: Endpoint,
        runner: ActionRunner,
        params: dict[str, Any],
        request: dict[str, Any],
        authorization: Authorization | None,
        request_id: str,
    ) -> dict[str, Any]:
        if self._pages is None:
            from servey_cdk.aws.page import PageRenderer

            self._pages = PageRenderer(self.runtime.registry.root)
        return self._pages.respond(endpoint, runner, params, request, authorization, request_id)


def _not_modified(request: HttpRequest, tag: str, modified: datetime | None) -> bool:
    """A conditional GET's answer is a 304: by its `If-None-Match` when it sends one (which wins,
    as RFC 9110 has it), else by its `If-Modified-Since`."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, tag)
    return modified is not None and not_modified_since(request.headers.get("if-modified-since"), modified)


def _json_parameter(action: str, name: str, text: str) -> Any:
    what = f"invalid parameters for action {action!r}: {name}: the query parameter"
    return parse_json(text, what, ["query", name])


def _origin(annotation: Any) -> Any:
    """`list[int] | None` → list: the container a parameter's values go in."""
    inner, _ = unwrap_optional(annotation)
    return None if is_union(inner) else typing.get_origin(inner) or inner


def _is_text(annotation: Any) -> bool:
    """Whether a query value is read as it is (a scalar, an enum, a date), not as JSON text."""
    base = _origin(annotation)
    if base in _SCALARS or base is typing.Any or base is typing.Literal:
        return True
    return isinstance(base, type) and not is_record_type(base) and base is not dict


def _is_record(annotation: Any) -> bool:
    base = _origin(annotation)
    return base is dict or (isinstance(base, type) and is_record_type(base))


class ApiGatewaySource(RestAdapter):
    """API Gateway proxy events: the REST API's (v1) and the HTTP API's (payload 2.0), and Lambda
    function URLs' (payload 2.0 of a `$default` route, its `routeKey` sometimes left out).

    Not their authorizers' events, which carry `methodArn` (v1) or `routeArn` (v2).
    """

    def matches(self, event: Any) -> bool:
        if type(event) is not dict:
            return False
        if "httpMethod" in event:
            return "resource" in event and "methodArn" not in event
        return (
            event.get("version") == "2.0"
            and ("routeKey" in event or "rawPath" in event)
            and "routeArn" not in event
        )

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        request = HttpRequest.from_v1(event) if "httpMethod" in event else HttpRequest.from_v2(event)
        return self.serve(request, request_id)


def _json_alone(endpoint: Endpoint, request: HttpRequest) -> str | None:
    """The body's text where it alone holds an action's parameters, as JSON: no query or path
    parameters to merge, not a form, a page or a token request; what `_params` would parse."""
    body = request.body
    if type(body) is not str or request.query or request.path_params or request.is_base64:
        return None
    if not endpoint.one_pass:
        return None
    if endpoint.is_page or endpoint.issues_tokens or len(body) > MAX_BODY_BYTES:
        return None
    return None if request.content_type == FORM else body
