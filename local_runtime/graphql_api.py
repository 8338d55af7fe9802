"""The GraphQL API: AppSync's SDL executed by graphql-core, each resolver a Lambda invocation.

Fields with a resolver are resolved only when selected, by sending the function the
direct Lambda resolver event (a list of them where the resolver batches). Every
request is first put to the Lambda authorizer, as AppSync does: a request without an
`Authorization` header, or one the authorizer refuses, is a 401 for the whole request;
an approval's `resolverContext` becomes the events' `identity`. Callers without a token
send `Authorization: anonymous`, which the authorizer approves with no claims.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    graphql,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_runtime.appsync_event import GraphQLRequest, authorizer_event, resolver_event
from local_runtime.appsync_scalars import declare_appsync_scalars, install_appsync_scalars
from local_runtime.graphql_batch import BatchLoader
from local_runtime.invoker import FunctionError, FunctionInvoker
from local_runtime.types import Event
from servey_cdk.appspec import AUTHORIZER, GraphQLSpec, ResolverSpec

log = logging.getLogger(__name__)

UNAUTHORIZED_BODY = {
    "errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]
}
NO_HEADER_BODY = {
    "errors": [{"errorType": "UnauthorizedException", "message": "Valid authorization header not provided."}]
}


def build_appsync_schema(spec: GraphQLSpec) -> GraphQLSchema:
    schema = build_schema(declare_appsync_scalars(spec.sdl))
    install_appsync_scalars(schema)
    return schema


class GraphQLApi:
    def __init__(self, spec: GraphQLSpec, invoker: FunctionInvoker) -> None:
        self.schema = build_appsync_schema(spec)
        self.invoker = invoker
        for resolver in spec.resolvers:
            parent = self.schema.type_map[resolver.type_name]
            assert isinstance(parent, GraphQLObjectType)
            parent.fields[resolver.field_name].resolve = self._resolver(resolver)

    async def endpoint(self, request: Request) -> Response:
        try:
            query, variables, operation = await _operation_of(request)
        except ValueError as error:
            return JSONResponse({"errors": [{"message": str(error)}]}, status_code=400)
        headers = dict(request.headers)
        token = headers.get("authorization")
        if not token:
            return JSONResponse(NO_HEADER_BODY, status_code=401)
        identity = await self._authorize(authorizer_event(token, headers, query, operation, variables))
        if identity is None:
            return JSONResponse(UNAUTHORIZED_BODY, status_code=401)
        context = GraphQLRequest(headers=headers, identity=identity, variables=variables or {})
        result = await graphql(
            self.schema, query, variable_values=variables, operation_name=operation, context_value=context
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return JSONResponse(body)

    async def _authorize(self, event: Event) -> dict[str, Any] | None:
        """The identity the authorizer grants, or None when it refuses (or fails)."""
        try:
            answer = await self.invoker.invoke(AUTHORIZER, event)
        except Exception:
            log.exception("the GraphQL authorizer failed")
            return None
        if not isinstance(answer, dict) or answer.get("isAuthorized") is not True:
            return None
        return {"resolverContext": answer.get("resolverContext") or {}}

    def _resolver(self, spec: ResolverSpec) -> Any:
        async def resolve(source: Any, info: GraphQLResolveInfo[GraphQLRequest], **arguments: Any) -> Any:
            request = info.context
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


async def _operation_of(request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            params["variables"] = _json(params["variables"], "variables")
    else:
        params = _json((await request.body()).decode("utf-8", "replace"), "the request body")
    if not isinstance(params, dict) or not isinstance(params.get("query"), str):
        raise ValueError("a GraphQL request needs a 'query' string")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("'variables' must be an object")
    return params["query"], variables, params.get("operationName")


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{what} is not valid JSON") from None
