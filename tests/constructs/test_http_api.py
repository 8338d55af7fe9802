"""ServeyHttpApi: an app that chose the HTTP API (`api="http"`), synthesized for real through jsii.

GIVEN `tests.constructs.http_app` as a ServeyStack with `api="http"` and a route throttle, synthesized
once for this module with cdk-nag's packs, WHEN its template is read, linted, rehearsed and served
by `servey-local --assembly` THEN every route is an HTTP API route on its function's payload 2.0
integration, the quality gates and the rehearsal pass, and the emulator serves the HTTP API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import httpx
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint

from constructs_lib import PropsError, ServeyApp, ServeySite, ServeyStack
from constructs_lib.builders import logical_id
from constructs_lib.packaging import default_cache_dir
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, load_spec
from servey_cdk.rehearsal import Report, rehearse
from servey_cdk.rehearsal.assembly import read_assembly
from tests.constructs.conftest import REGIONAL_WEB_ACL, _nag_checked_synth
from tests.constructs.template_queries import Resources, alarms_on, app_function, dimensions, of_type
from tests.constructs.test_quality_gates import _checkov_failures, _nag_findings
from tests.servers import servey_local

APP = "tests.constructs.http_app"
THROTTLED = {"GET /notes/{note_id}": apigateway.ThrottleSettings(rate_limit=10, burst_limit=20)}


class HttpStack:
    def __init__(self, outdir: Path) -> None:
        app = cdk.App(outdir=str(outdir))
        props: dict[str, Any] = {"api": "http", "route_throttling": THROTTLED}
        self.stack = ServeyStack(
            app, "HttpApp", app_module=APP, app_props={**props, "layer_cache_dir": default_cache_dir()}
        )
        self.validation_error = _nag_checked_synth(app)
        self.outdir = outdir
        self.template_path = outdir / "HttpApp.template.json"
        self.template = json.loads(self.template_path.read_text())
        self.resources: Resources = self.template["Resources"]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> HttpStack:
    return HttpStack(tmp_path_factory.mktemp("http.out"))


@pytest.fixture(scope="module")
def spec() -> AppSpec:
    return load_spec(APP, BuildSettings(api="http"))


def _routes(resources: Resources) -> dict[str, dict[str, Any]]:
    found = of_type(resources, "AWS::ApiGatewayV2::Route").values()
    return {value["Properties"]["RouteKey"]: value["Properties"] for value in found}


def _integration_of(resources: Resources, route: dict[str, Any]) -> dict[str, Any]:
    (_, reference) = route["Target"]["Fn::Join"][1]
    properties: dict[str, Any] = resources[reference["Ref"]]["Properties"]
    return properties


def test_GIVEN_api_http_THEN_the_spec_records_it_and_no_rest_api_is_made(synthesized: HttpStack) -> None:
    servey = synthesized.stack.app
    assert servey.spec.api == "http"
    assert isinstance(servey.http_api, apigatewayv2.HttpApi)
    assert servey.rest_api is None
    assert of_type(synthesized.resources, "AWS::ApiGateway::RestApi") == {}
    (api,) = of_type(synthesized.resources, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    assert "AppHttpApiUrl" in "".join(synthesized.template["Outputs"])


def test_GIVEN_api_http_THEN_each_route_is_a_route_on_its_functions_payload_2_integration(
    synthesized: HttpStack, spec: AppSpec
) -> None:
    routes = _routes(synthesized.resources)
    assert set(routes) == {route.key for route in spec.routes} | {"$default"}
    assert "GET /files/{key+}" in routes  # a greedy path, as the spec writes it
    for route in spec.routes:
        function, _ = app_function(synthesized.resources, route.function)
        integration = _integration_of(synthesized.resources, routes[route.key])
        assert integration["IntegrationUri"] == {"Fn::GetAtt": [function, "Arn"]}
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["PayloadFormatVersion"] == "2.0"
        assert integration["TimeoutInMillis"] == 29_000


def test_GIVEN_api_http_THEN_the_default_route_goes_to_a_function_of_the_app(synthesized: HttpStack) -> None:
    """Its handler answers the 404s and 405s, which an HTTP API cannot shape itself."""
    default = _routes(synthesized.resources)["$default"]
    function, _ = app_function(synthesized.resources, "get_note")
    assert _integration_of(synthesized.resources, default)["IntegrationUri"] == {
        "Fn::GetAtt": [function, "Arn"]
    }


def test_GIVEN_api_http_THEN_no_gateway_authorizer_runs_and_the_runtime_checks_tokens(
    synthesized: HttpStack,
) -> None:
    """As on the REST API: a route that needs a scope is open at the gateway, and its action answers
    the 401 or 403 in the runtime's error body."""
    assert of_type(synthesized.resources, "AWS::ApiGatewayV2::Authorizer") == {}
    protected = _routes(synthesized.resources)["GET /actions/admin-secret"]
    assert protected["AuthorizationType"] == "NONE"


def test_GIVEN_api_http_THEN_cors_is_the_apis_own_for_the_headers_the_app_reads(
    synthesized: HttpStack,
) -> None:
    (api,) = of_type(synthesized.resources, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["CorsConfiguration"] == {
        "AllowHeaders": ["Content-Type", "Authorization", "If-None-Match"],
        "AllowMethods": ["*"],
        "AllowOrigins": ["*"],
    }


def test_GIVEN_api_http_THEN_the_default_stage_logs_json_and_throttles_by_default_and_by_route(
    synthesized: HttpStack,
) -> None:
    (stage,) = of_type(synthesized.resources, "AWS::ApiGatewayV2::Stage").values()
    properties = stage["Properties"]
    assert properties["StageName"] == "$default"
    assert properties["AutoDeploy"] is True
    assert json.loads(properties["AccessLogSettings"]["Format"])["routeKey"] == "$context.routeKey"
    (log_group,) = properties["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][:1]
    assert synthesized.resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert properties["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}
    assert properties["RouteSettings"] == {
        "GET /notes/{note_id}": {"ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10}
    }


def test_GIVEN_api_http_WHEN_cdk_nag_runs_THEN_it_reports_no_unacknowledged_findings(
    synthesized: HttpStack,
) -> None:
    assert _nag_findings(synthesized.outdir) == []
    assert synthesized.validation_error is None


def test_GIVEN_api_http_WHEN_cfn_lint_runs_THEN_it_finds_no_errors(synthesized: HttpStack) -> None:
    matches = lint(json.dumps(synthesized.template), config=ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []


def test_GIVEN_api_http_WHEN_checkov_runs_THEN_it_finds_no_unacknowledged_failures(
    synthesized: HttpStack,
) -> None:
    assert _checkov_failures(synthesized.template_path) == []


@pytest.fixture(scope="module")
def report(synthesized: HttpStack) -> Report:
    stack = next(stack for stack in read_assembly(synthesized.outdir) if stack.name == "HttpApp")
    return rehearse(stack, default_cache_dir())


def test_GIVEN_api_http_WHEN_rehearsed_THEN_every_route_and_the_default_route_pass_in_payload_2(
    report: Report, spec: AppSpec
) -> None:
    assert report.passed, report.text()
    cases = {(outcome.kind, outcome.case) for outcome in report.outcomes}
    assert ("http", "$default GET /servey-rehearsal/no-such-route") in cases
    assert ("http", "GET /files/{key+} example nested") in cases
    assert ("http", "POST /notes example hello") in cases  # a 201, with the example's body
    assert ("http", "GET /actions/admin-secret example admin") in cases  # a token of the example's scopes
    assert ("http", "GET /actions/admin-secret without a token") in cases
    assert not any(kind == "rest" for kind, _ in cases)


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({"web_acl_arn": REGIONAL_WEB_ACL}, "web_acl_arn: WAF cannot be associated with an HTTP API"),
        ({"api_only_through_cdn": True}, "api_only_through_cdn needs API keys, which an HTTP API"),
        ({"rest_api_props": {"description": "x"}}, "rest_api_props shape a REST API, but the app's API is"),
        ({"stage_props": {"stage_name": "v1"}}, "stage_props shape a REST API, but the app's API is the"),
    ],
)
def test_GIVEN_api_http_WHEN_a_rest_only_prop_is_given_THEN_it_is_refused_by_name(
    spec: AppSpec, fresh_app: cdk.App, props: dict[str, Any], problem: str
) -> None:
    with pytest.raises(PropsError) as raised:
        ServeyApp(cdk.Stack(fresh_app, "Refused"), "App", spec=spec, **props)
    assert [p for p in raised.value.problems if p.startswith(problem)], raised.value.problems


def test_GIVEN_a_rest_spec_WHEN_http_props_or_api_http_are_given_THEN_they_are_refused(
    fresh_app: cdk.App,
) -> None:
    rest_spec = load_spec(APP)
    with pytest.raises(PropsError) as raised:
        ServeyApp(
            cdk.Stack(fresh_app, "Mixed"), "App", spec=rest_spec, api="http",
            http_api_props={"description": "x"}, http_stage_props={"stage_nme": "v1"},
        )  # fmt: skip
    assert raised.value.problems == (
        "api='http', but the spec given is of the rest API",
        "http_api_props shape an HTTP API, but the app's API is the rest API (set api='http')",
        "http_stage_props shape an HTTP API, but the app's API is the rest API (set api='http')",
    )


def test_GIVEN_an_http_api_THEN_the_site_sends_the_route_paths_to_its_execute_api_host(
    fresh_app: cdk.App,
) -> None:
    sample = load_spec("sample_app", BuildSettings(api="http"))
    stack = cdk.Stack(fresh_app, "Fronted")
    http_api = apigatewayv2.HttpApi(stack, "Api")
    ServeySite(stack, "Site", spec=sample, http_api=http_api)
    (distribution,) = Template.from_stack(stack).find_resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    api_origin = next(origin for origin in config["Origins"] if "CustomOriginConfig" in origin)
    endpoint = {"Fn::GetAtt": [stack.get_logical_id(http_api.node.default_child), "ApiEndpoint"]}
    assert api_origin["DomainName"] == {"Fn::Select": [2, {"Fn::Split": ["/", endpoint]}]}
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    api_behaviors = [b for b in config["CacheBehaviors"] if b["TargetOriginId"] == api_origin["Id"]]
    assert {b["PathPattern"] for b in api_behaviors} >= {"/actions/*", "/items*"}
    assert api_origin.get("OriginPath", "") == ""  # the `$default` stage serves at the root


def test_GIVEN_the_synthesized_http_app_WHEN_servey_local_serves_the_assembly_THEN_it_is_the_http_api(
    synthesized: HttpStack,
) -> None:
    """The flavour comes from the spec the code asset ships, with no setting given."""
    arguments = ["--assembly", str(synthesized.outdir), "--stack", "HttpApp"]
    with servey_local(arguments) as (base, _):
        refused = httpx.delete(f"{base}/notes/7", timeout=30)
        created = httpx.post(f"{base}/notes", json={"text": "hi"}, timeout=30)
        missing = httpx.get(f"{base}/actions/greet", timeout=30)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, OPTIONS"
    assert "apigw-requestid" in refused.headers
    assert created.status_code == 201
    assert created.headers.get_list("set-cookie") == ["last_note=1; HttpOnly; Secure; SameSite=Lax"]
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["msg"] == "Field required"


def test_GIVEN_api_http_THEN_the_http_api_alarms_on_5xx_and_on_a_p99_latency_over_5_seconds(
    synthesized: HttpStack,
) -> None:
    http_api = synthesized.stack.app.http_api
    assert http_api is not None
    api_id = {"Ref": logical_id(http_api)}
    (faults,) = [a for a in alarms_on(synthesized.resources, "5xx") if dimensions(a)["ApiId"] == api_id]
    assert (faults["ComparisonOperator"], faults["Threshold"]) == ("GreaterThanThreshold", 0)
    (latency,) = alarms_on(synthesized.resources, "Latency")
    assert dimensions(latency)["ApiId"] == api_id
    assert latency["Threshold"] == 5000
