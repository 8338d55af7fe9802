"""The GraphQL API: AppSync's SDL executed by graphql-core, each resolver a Lambda invocation.

Fields with a resolver are resolved only when selected, by sending the function the
direct Lambda resolver event (a list of them where the resolver batches). Every
request is first put to the Lambda authorizer, as AppSync does: a request without an
`Authorization` header, or one the authorizer refuses, is a 401 for the whole request;
an approval's `resolverContext` becomes the events' `identity`. Callers without a token
send `Authorization: anonymous`, which the authorizer approves with no claims. An approval
is kept for its `ttlOverride` (the construct's five minutes without one), as AppSync caches
them by the header's value, so a caller's next requests skip the authorizer.

The app's `GraphQLLimits` hold before anything runs: a body over `MAX_REQUEST_BYTES`
is a 413, and a query over its size, depth, field or alias limit is answered with
errors and no resolver invoked; resolvers past the resolver-count limit fail, as
AppSync's `ResolverCountLimit` makes them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    build_schema,
    execute,
    parse,
    specified_rules,
    validate,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_runtime.appsync_event import GraphQLRequest, authorizer_event, resolver_event
from local_runtime.appsync_scalars import declare_appsync_scalars, install_appsync_scalars
from local_runtime.graphql_batch import BatchLoader
from local_runtime.graphql_meter import limit_errors
from local_runtime.invoker import FunctionError, FunctionInvoker
from local_runtime.request_body import read_body
from local_runtime.types import Event
from servey_cdk.appspec import AUTHORIZER, GraphQLSpec, ResolverSpec
from servey_cdk.errors import InvalidInput
from servey_cdk.graphql_limits import REQUEST_TIMEOUT_S
from servey_cdk.json_input import parse_json

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 1024 * 1024  # a GraphQL request's body: its query and variables
AUTHORIZATION_CACHE_S = 300  # the constructs' `results_cache_ttl`, when an approval names no ttlOverride
# Queries parsed and validated, by their text: clients send the same few again and again.
PREPARED_QUERIES = 256
PREPARED_QUERY_BYTES = 8 * 1024

UNAUTHORIZED_BODY = {
    "errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]
}
EXECUTION_TIMEOUT = {"errorType": "Lambda:ExecutionTimeoutException", "message": "Execution timed out."}
NO_HEADER_BODY = {
    "errors": [{"errorType": "UnauthorizedException", "message": "Valid authorization header not provided."}]
}


def build_appsync_schema(spec: GraphQLSpec) -> GraphQLSchema:
    schema = build_schema(declare_appsync_scalars(spec.sdl))
    install_appsync_scalars(schema)
    return schema


class GraphQLApi:
    def __init__(
        self, spec: GraphQLSpec, invoker: FunctionInvoker, request_timeout_s: float = REQUEST_TIMEOUT_S
    ) -> None:
        self.request_timeout_s = request_timeout_s
        self.schema = build_appsync_schema(spec)
        self.invoker = invoker
        self.limits = spec.limits
        introspection = [] if spec.limits.introspection else [NoSchemaIntrospectionCustomRule]
        self.rules = [*specified_rules, *introspection]
        self._approvals: dict[str, tuple[float, dict[str, Any]]] = {}  # header → (until, identity)
        self._prepared: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        for resolver in spec.resolvers:
            parent = self.schema.type_map[resolver.type_name]
            assert isinstance(parent, GraphQLObjectType)
            parent.fields[resolver.field_name].resolve = self._resolver(resolver)

    async def endpoint(self, request: Request) -> Response:
        try:
            query, variables, operation = await _operation_of(request)
        except RequestTooLarge as error:
            return JSONResponse({"errors": [{"message": str(error), "errorType": "RequestTooLarge"}]}, 413)
        except ValueError as error:
            return JSONResponse({"errors": [{"message": str(error)}]}, status_code=400)
        headers = dict(request.headers)
        token = headers.get("authorization")
        if not token:
            return JSONResponse(NO_HEADER_BODY, status_code=401)
        identity = self._approved(token) or await self._authorize(
            token, authorizer_event(token, headers, query, operation, variables)
        )
        if identity is None:
            return JSONResponse(UNAUTHORIZED_BODY, status_code=401)
        document = self._prepared.get(query)
        if document is None:
            # Parsing and validating take time in proportion to the query: off the loop, so others go on.
            document = await asyncio.to_thread(self._prepare, query)
            if len(query) <= PREPARED_QUERY_BYTES:
                self._prepared[query] = document
                if len(self._prepared) > PREPARED_QUERIES:
                    self._prepared.popitem(last=False)
        else:
            self._prepared.move_to_end(query)
        if isinstance(document, list):
            return JSONResponse({"data": None, "errors": [error.formatted for error in document]})
        context = GraphQLRequest(headers=headers, identity=identity, variables=variables or {})
        result = execute(
            self.schema, document, variable_values=variables, operation_name=operation, context_value=context
        )
        if isawaitable(result):
            try:
                result = await asyncio.wait_for(result, self.request_timeout_s)
            except TimeoutError:  # AppSync's limit on a whole request, its resolvers' work included
                return JSONResponse({"data": None, "errors": [EXECUTION_TIMEOUT]})
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return JSONResponse(body)

    def _prepare(self, query: str) -> DocumentNode | list[GraphQLError]:
        """The parsed document, or what is wrong with it: its size, syntax, limits or validity."""
        limits = self.limits
        if len(query.encode()) > limits.query_bytes:
            message = f"the query is over {limits.query_bytes} bytes"
            return [GraphQLError(message, extensions={"errorType": "QueryLimitExceeded"})]
        try:
            document = parse(query)
            errors = limit_errors(document, limits) or validate(self.schema, document, self.rules)
        except GraphQLError as error:
            return [error]
        except RecursionError:
            message = f"the query is nested deeper than {limits.depth} levels"
            return [GraphQLError(message, extensions={"errorType": "QueryLimitExceeded"})]
        return list(errors) if errors else document

    def _approved(self, token: str) -> dict[str, Any] | None:
        """The identity of an approval of `token` still kept, if there is one."""
        kept = self._approvals.get(token)
        if kept is None:
            return None
        until, identity = kept
        if time.monotonic() < until:
            return {"resolverContext": dict(identity["resolverContext"])}  # each request its own
        del self._approvals[token]
        return None

    async def _authorize(self, token: str, event: Event) -> dict[str, Any] | None:
        """The identity the authorizer grants, or None when it refuses (or fails); an approval is
        kept for its ttlOverride."""
        try:
            answer = await self.invoker.invoke(AUTHORIZER, event)
        except Exception:
            log.exception("the GraphQL authorizer failed")
            return None
        if not isinstance(answer, dict) or answer.get("isAuthorized") is not True:
            return None
        identity = {"resolverContext": answer.get("resolverContext") or {}}
        ttl = answer.get("ttlOverride", AUTHORIZATION_CACHE_S)
        if isinstance(ttl, int) and ttl > 0:
            if len(self._approvals) >= PREPARED_QUERIES:  # a bound, as on a busy server tokens come and go
                self._approvals.clear()
            self._approvals[token] = (time.monotonic() + ttl, identity)
        return {"resolverContext": dict(identity["resolverContext"])}  # the kept one stays as it was

    def _resolver(self, spec: ResolverSpec) -> Any:
        async def resolve(source: Any, info: GraphQLResolveInfo[GraphQLRequest], **arguments: Any) -> Any:
            request = info.context
            request.resolved += 1
            if request.resolved > self.limits.resolvers:
                message = f"the query runs over {self.limits.resolvers} resolvers"
                raise GraphQLError(message, extensions={"errorType": "QueryLimitExceeded"})
            event = resolver_event(info, arguments, source, request)
            if spec.batch_size:
                loader = request.loaders.get((spec.type_name, spec.field_name))
                if loader is None:
                    loader = BatchLoader(spec.batch_size, lambda events: self._invoke_batch(spec, events))
                    request.loaders[(spec.type_name, spec.field_name)] = loader
                return _batch_item(await loader.load(event))
            return await self._invoke(spec, event)

        return resolve

    async def _invoke(self, spec: ResolverSpec, event: Event) -> Any:
        try:
            return await self.invoker.invoke(spec.function, event)
        except Exception as error:
            raise lambda_error(error) from None

    async def _invoke_batch(self, spec: ResolverSpec, events: list[Event]) -> list[Any]:
        try:
            results = await self.invoker.invoke(spec.function, events)
        except Exception as error:
            raise lambda_error(error) from None
        return results  # type: ignore[no-any-return]


def lambda_error(error: Exception) -> GraphQLError:
    """A function's error as AppSync reports it: Lambda's `errorType` is the exception's class."""
    error_type = error.error_type if isinstance(error, FunctionError) else type(error).__name__
    return GraphQLError(str(error), extensions={"errorType": error_type})


def _batch_item(item: Any) -> Any:
    """One item of a batch answer, `{"data", "errorMessage", "errorType"}`: its data or its error."""
    if not isinstance(item, dict) or "data" not in item:
        raise GraphQLError(f"a batch answer item must be an object with 'data', not {item!r}")
    if item.get("errorType"):
        raise GraphQLError(str(item.get("errorMessage", "")), extensions={"errorType": item["errorType"]})
    return item["data"]


class RequestTooLarge(Exception):
    """A request body over `MAX_REQUEST_BYTES`."""


async def _operation_of(request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            params["variables"] = _json(params["variables"], "variables")
    else:
        body = await read_body(request, MAX_REQUEST_BYTES)
        if body is None:
            raise RequestTooLarge(f"the request body is over {MAX_REQUEST_BYTES} bytes")
        params = _json(body.decode("utf-8", "replace"), "the request body")
    if not isinstance(params, dict) or not isinstance(params.get("query"), str):
        raise ValueError("a GraphQL request needs a 'query' string")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("'variables' must be an object")
    return params["query"], variables, params.get("operationName")


def _json(text: str, what: str) -> Any:
    try:
        return parse_json(text, what, [])
    except InvalidInput as error:
        raise ValueError(error.message) from None
