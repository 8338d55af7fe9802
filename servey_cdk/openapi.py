"""The OpenAPI 3.1 document of an app's REST routes, written from its AppSpec.

One document for the whole API, however many functions serve it. Schemas come from
pydantic (through AppSpec); examples from the actions' `Example`s.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from servey_cdk.api_gateway import required_query_parameters
from servey_cdk.appspec import ActionSpec, AppSpec, ExampleSpec, RouteSpec

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "A short code, e.g. invalid_input."},
        "detail": {"description": "A message, or the failing fields of invalid input."},
        "request_id": {"type": ["string", "null"]},
    },
    "required": ["error", "detail", "request_id"],
}
# The body of an answer AWS gives by itself, before anything of the app's applies (414, 415).
GATEWAY_MESSAGE_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}
_ERROR = {"$ref": "#/components/schemas/Error"}
_GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}


class ErrorResponse(NamedTuple):
    """An error the API answers: its name among the components, what it means, its body's schema."""

    name: str
    description: str
    body: dict[str, str] = _ERROR


ERROR_RESPONSES = {
    "401": ErrorResponse(
        "Unauthorized", "A bad or expired token (any token sent is checked), or none where one is needed."
    ),
    "403": ErrorResponse("Forbidden", "The token does not grant access to this action."),
    "404": ErrorResponse("NotFound", "No such route, or nothing of that id."),
    "405": ErrorResponse("MethodNotAllowed", "Another method of this path; `Allow` lists those it takes."),
    "413": ErrorResponse("PayloadTooLarge", "The request body is over Lambda's 6 MB payload limit."),
    "414": ErrorResponse("UriTooLong", "The URL is over 8,192 bytes, CloudFront's limit.", _GATEWAY_MESSAGE),
    "415": ErrorResponse(
        "UnsupportedMediaType",
        "Another method of this path, with a body of a media type API Gateway has no template for.",
        _GATEWAY_MESSAGE,
    ),
    "422": ErrorResponse("InvalidInput", "The parameters are invalid; `detail` lists each failing field."),
    "500": ErrorResponse("ActionFailed", "The action failed; quote the request id when reporting it."),
}
_TOKEN_ONLY = {"403"}  # answered only by actions that need a token


def openapi_document(spec: AppSpec, title: str | None = None, version: str = "1.0.0") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in spec.routes:
        if route.kind == "action":
            path = route.path.replace("+}", "}")  # OpenAPI has no greedy parameters
            paths.setdefault(path, {})[route.method.lower()] = _operation(route, spec)
    components: dict[str, Any] = {
        "schemas": {**spec.schemas, "Error": ERROR_SCHEMA, "GatewayMessage": GATEWAY_MESSAGE_SCHEMA},
        "responses": _error_responses(),
    }
    if any(route.requires_token for route in spec.routes):
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": title or spec.app_module, "version": version},
        "paths": paths,
        "components": components,
    }


def _operation(route: RouteSpec, spec: AppSpec) -> dict[str, Any]:
    action = spec.action(route.action)
    operation: dict[str, Any] = {"operationId": action.name, "tags": [action.function]}
    if action.description:
        summary, _, rest = action.description.partition("\n")
        operation["summary"] = summary.strip()
        if rest.strip():
            operation["description"] = rest.strip()
    properties: dict[str, Any] = action.params_schema.get("properties", {})
    required = set(action.params_schema.get("required", []))
    in_body = route.method not in ("GET", "DELETE")
    validated = set(required_query_parameters(route, spec))
    parameters = [
        _parameter(
            name,
            "path" if name in route.path_params else "query",
            _not_blank(schema) if name in validated else schema,
            name in required,
            action,
        )
        for name, schema in properties.items()
        if name in route.path_params or not in_body
    ]
    if parameters:
        operation["parameters"] = parameters
    body_names = [name for name in properties if in_body and name not in route.path_params]
    if body_names:
        operation["requestBody"] = _request_body(action, body_names, required)
    operation["responses"] = _responses(action, route)
    if route.requires_token:
        operation["security"] = [{"bearer": []}]
    return operation


def _parameter(
    name: str, location: str, schema: dict[str, Any], required: bool, action: ActionSpec
) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": location,
        "required": required or location == "path",
        "schema": schema,
    }
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    examples = {
        example.name: _example(example, example.params[name])
        for example in action.examples
        if example.include_in_schema and name in example.params
    }
    if examples:
        parameter["examples"] = examples
    return parameter


def _not_blank(schema: dict[str, Any]) -> dict[str, Any]:
    """API Gateway's request validator takes a blank required query parameter for a missing one."""
    if schema.get("type") == "string":
        return {**schema, "minLength": max(schema.get("minLength", 0), 1)}
    if schema.get("type") == "array" and "items" in schema:
        return {**schema, "items": _not_blank(schema["items"])}
    if "anyOf" in schema:
        return {**schema, "anyOf": [_not_blank(branch) for branch in schema["anyOf"]]}
    return schema


def _request_body(action: ActionSpec, names: list[str], required: set[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: action.params_schema["properties"][name] for name in names},
    }
    if needed := [name for name in names if name in required]:
        schema["required"] = needed
    content: dict[str, Any] = {"schema": schema}
    examples = {
        example.name: _example(example, {k: v for k, v in example.params.items() if k in names})
        for example in action.examples
        if example.include_in_schema
    }
    if examples:
        content["examples"] = examples
    return {"required": bool(schema.get("required")), "content": {"application/json": content}}


def _responses(action: ActionSpec, route: RouteSpec) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": action.result_schema}
    examples = {
        example.name: _example(example, example.result)
        for example in action.examples
        if example.include_in_schema
    }
    if examples:
        content["examples"] = examples
    cache_header = {"Cache-Control": {"schema": {"type": "string", "example": action.cache_control}}}
    if route.status == 204:
        success = {"description": "Done; no body.", "headers": cache_header}
    else:
        success = {"description": "The action's result.", "headers": cache_header}
        success["content"] = {"application/json": content}
    responses: dict[str, Any] = {str(route.status): success}
    if route.status == 200 and route.method == "GET":  # a plain result's: tagged, and conditional
        success["headers"] = {**cache_header, "ETag": {"schema": {"type": "string"}}}
        responses["304"] = {"description": "Not modified: the If-None-Match tag is current."}
    for status in ERROR_RESPONSES:
        if route.requires_token or status not in _TOKEN_ONLY:
            responses[status] = error_response(status)
    return responses


def _example(example: ExampleSpec, value: Any) -> dict[str, Any]:
    """An OpenAPI Example Object: the value, and the example's description as its summary."""
    if example.description is None:
        return {"value": value}
    return {"summary": example.description, "value": value}


def error_response(status: str) -> dict[str, str]:
    """A reference to the error response of that status among the document's components."""
    return {"$ref": f"#/components/responses/{ERROR_RESPONSES[status].name}"}


def _error_responses() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for name, description, body in ERROR_RESPONSES.values():
        responses[name] = {"description": description, "content": {"application/json": {"schema": body}}}
    responses["MethodNotAllowed"]["headers"] = {"Allow": {"schema": {"type": "string"}}}
    return responses
