"""ServeyRestApi: one method per route, proxied to the route's function."""

from __future__ import annotations

import json
from typing import Any

from servey_cdk.api_gateway import preflight_headers
from servey_cdk.appspec import AppSpec
from tests.constructs.template_queries import Resources, app_function, of_type


def _methods(resources: Resources) -> list[dict[str, Any]]:
    found = of_type(resources, "AWS::ApiGateway::Method").values()
    return [
        value["Properties"] for value in found if value["Properties"]["HttpMethod"] not in ("OPTIONS", "ANY")
    ]


def test_GIVEN_the_sample_stack_THEN_each_route_becomes_one_method(
    resources: Resources, spec: AppSpec
) -> None:
    assert len(_methods(resources)) == len(spec.routes)


def test_GIVEN_the_sample_stack_THEN_methods_are_lambda_proxy_integrations_of_their_routes_function(
    resources: Resources,
) -> None:
    function, _ = app_function(resources, "get_item")
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "get_item"]
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert function in str(method["Integration"]["Uri"])


def test_GIVEN_the_sample_stack_THEN_path_parameters_are_required_request_parameters(
    resources: Resources,
) -> None:
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "delete_item"]
    assert method["RequestParameters"] == {"method.request.path.item_id": True}


def test_GIVEN_the_sample_stack_THEN_required_query_parameters_are_validated_by_api_gateway(
    resources: Resources,
) -> None:
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "say_hello"]
    assert method["RequestParameters"] == {"method.request.querystring.name": True}
    validator = resources[method["RequestValidatorId"]["Ref"]]["Properties"]
    assert validator["ValidateRequestParameters"] is True


def test_GIVEN_the_sample_stack_THEN_pages_are_routed_like_actions(
    resources: Resources, spec: AppSpec
) -> None:
    operations = {m.get("OperationName") for m in _methods(resources)}
    assert {page.action for page in spec.pages} <= operations


def _mocks(resources: Resources, method: str) -> list[dict[str, Any]]:
    found = of_type(resources, "AWS::ApiGateway::Method").values()
    return [value["Properties"] for value in found if value["Properties"]["HttpMethod"] == method]


def test_GIVEN_the_sample_stack_THEN_cors_preflight_is_answered_as_servey_local_answers_it(
    resources: Resources, spec: AppSpec
) -> None:
    preflights = _mocks(resources, "OPTIONS")
    assert len(preflights) > len({route.path for route in spec.routes})  # every resource's, and the root's
    expected = {f"method.response.header.{name}": f"'{value}'" for name, value in preflight_headers().items()}
    for preflight in preflights:
        (answer,) = preflight["Integration"]["IntegrationResponses"]
        assert (answer["StatusCode"], answer["ResponseParameters"]) == ("204", expected)


def test_GIVEN_the_sample_stack_WHEN_another_method_of_a_path_is_asked_THEN_405_naming_the_allowed_ones(
    resources: Resources, spec: AppSpec
) -> None:
    answers = {}
    for mock in _mocks(resources, "ANY"):
        assert mock["Integration"]["Type"] == "MOCK"
        (answer,) = mock["Integration"]["IntegrationResponses"]
        body = json.loads(
            answer["ResponseTemplates"]["application/json"]
            .replace("$context.httpMethod", "PUT")
            .replace("$context.requestId", "r-1")
        )
        assert (answer["StatusCode"], body["error"], body["request_id"]) == (
            "405",
            "method_not_allowed",
            "r-1",
        )
        answers[body["detail"]] = answer["ResponseParameters"]["method.response.header.Allow"]
    assert answers["/items/{item_id} allows GET, DELETE, OPTIONS, not PUT"] == "'GET, DELETE, OPTIONS'"
    assert len(answers) == len({route.path for route in spec.routes})


def _gateway_response(resources: Resources, response_type: str) -> dict[str, Any]:
    found = of_type(resources, "AWS::ApiGateway::GatewayResponse").values()
    (response,) = [v["Properties"] for v in found if v["Properties"]["ResponseType"] == response_type]
    return response


def test_GIVEN_the_sample_stack_WHEN_an_unknown_path_is_asked_THEN_404_not_api_gateways_403(
    resources: Resources,
) -> None:
    response = _gateway_response(resources, "MISSING_AUTHENTICATION_TOKEN")
    template = response["ResponseTemplates"]["application/json"]
    filled = template.replace("$context.httpMethod", "GET")
    body = json.loads(filled.replace("$context.requestId", "r-1"))
    assert response["StatusCode"] == "404"
    assert body == {"error": "not_found", "detail": "no route for GET at this path", "request_id": "r-1"}


def test_GIVEN_the_sample_stack_WHEN_a_required_parameter_is_missing_THEN_the_runtimes_422_shape(
    resources: Resources,
) -> None:
    response = _gateway_response(resources, "BAD_REQUEST_PARAMETERS")
    message = "Missing required request parameters: [name]"
    template = response["ResponseTemplates"]["application/json"]
    body = json.loads(template.replace("$context.error.messageString", json.dumps(message)))
    assert response["StatusCode"] == "422"
    assert body["error"] == "invalid_input"
    assert body["detail"] == [{"loc": ["query"], "msg": message, "type": "missing"}]


def test_GIVEN_the_sample_stack_THEN_the_stage_throttles_traces_and_writes_json_access_logs(
    resources: Resources,
) -> None:
    (stage,) = (value["Properties"] for value in of_type(resources, "AWS::ApiGateway::Stage").values())
    settings = stage["MethodSettings"][0]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (100, 200)
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["Format"].startswith("{")


PATHS = [
    "/items", "/items/{item_id}", "/files/{key+}", "/a.b_c-d/x:y/$v", "/items/{item_id}.json",
    "/items/(?P<item_id>[^/]+)", "/a b", "/a+b", "/files/{key+}/meta", "/items/{a.b}",
]  # fmt: skip


def test_GIVEN_paths_THEN_the_spec_refuses_exactly_those_the_cdks_rest_api_refuses(fresh_app: Any) -> None:
    """The builder's check agrees with the CDK's, so no path passes the spec to fail the synth."""
    import aws_cdk as cdk
    from aws_cdk import aws_apigateway as apigateway

    from servey_cdk.path_templates import path_problems

    api = apigateway.RestApi(cdk.Stack(fresh_app, "Paths"), "Api")
    for path in PATHS:
        try:
            api.root.resource_for_path(path)
            cdk_takes = True
        except Exception:  # jsii's error for ResourceSPathPartOnly and the like
            cdk_takes = False
        greedy_inside = "+}/" in path  # the CDK takes it; API Gateway refuses it on deploy
        assert (not path_problems(path)) == (cdk_takes and not greedy_inside), path
