"""ServeyRestApi: one method per route, proxied to the route's function."""

from __future__ import annotations

from typing import Any

from template_queries import Resources, app_function, of_type

from servey_cdk.appspec import AppSpec


def _methods(resources: Resources) -> list[dict[str, Any]]:
    found = of_type(resources, "AWS::ApiGateway::Method").values()
    return [value["Properties"] for value in found if value["Properties"]["HttpMethod"] != "OPTIONS"]


def test_each_route_becomes_one_method(resources: Resources, spec: AppSpec) -> None:
    assert len(_methods(resources)) == len(spec.routes)


def test_methods_are_lambda_proxy_integrations_of_their_routes_function(resources: Resources) -> None:
    function, _ = app_function(resources, "get_item")
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "get_item"]
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert function in str(method["Integration"]["Uri"])


def test_path_parameters_are_required_request_parameters(resources: Resources) -> None:
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "delete_item"]
    assert method["RequestParameters"] == {"method.request.path.item_id": True}


def test_required_query_parameters_are_validated_by_api_gateway(resources: Resources) -> None:
    (method,) = [m for m in _methods(resources) if m.get("OperationName") == "say_hello"]
    assert method["RequestParameters"] == {"method.request.querystring.name": True}
    validator = resources[method["RequestValidatorId"]["Ref"]]["Properties"]
    assert validator["ValidateRequestParameters"] is True


def test_pages_are_routed_like_actions(resources: Resources, spec: AppSpec) -> None:
    operations = {m.get("OperationName") for m in _methods(resources)}
    assert {page.action for page in spec.pages} <= operations


def test_cors_preflight_is_answered(resources: Resources) -> None:
    methods = of_type(resources, "AWS::ApiGateway::Method").values()
    assert any(value["Properties"]["HttpMethod"] == "OPTIONS" for value in methods)


def test_the_stage_throttles_traces_and_writes_json_access_logs(resources: Resources) -> None:
    (stage,) = (value["Properties"] for value in of_type(resources, "AWS::ApiGateway::Stage").values())
    settings = stage["MethodSettings"][0]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (100, 200)
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["Format"].startswith("{")
