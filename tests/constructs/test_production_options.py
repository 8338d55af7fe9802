"""The options of a production deploy: WAF web ACLs, a REST API reached only through the CDN,
reserved concurrency and per-route throttling. Each is off by default and checked up front.

GIVEN the sample app synthesized with every option on (the `production` fixture) or with none.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway

from constructs_lib import PropsError, ServeyApp
from constructs_lib.site import API_KEY_HEADER
from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import CLOUDFRONT_WEB_ACL, REGIONAL_WEB_ACL, Production
from tests.constructs.template_queries import Resources, app_function, of_type


def _refused(stack: cdk.Stack, spec: AppSpec, **props: Any) -> tuple[str, ...]:
    """The problems ServeyApp reports for `props`, having built nothing."""
    with pytest.raises(PropsError) as raised:
        ServeyApp(stack, "App", spec=spec, **props)
    assert [c.node.id for c in stack.node.find_all()] == [stack.node.id, "App"]
    return raised.value.problems


def _methods(resources: Resources) -> list[dict[str, Any]]:
    found = of_type(resources, "AWS::ApiGateway::Method").values()
    return [m["Properties"] for m in found if m["Properties"]["HttpMethod"] != "OPTIONS"]


def _distribution(resources: Resources) -> dict[str, Any]:
    (distribution,) = of_type(resources, "AWS::CloudFront::Distribution").values()
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def test_GIVEN_the_production_options_THEN_one_regional_web_acl_protects_the_rest_stage_and_the_graphql_api(
    production: Production,
) -> None:
    resources = production.template["Resources"]
    (stage,) = of_type(resources, "AWS::ApiGateway::Stage")
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi")
    associations = [a["Properties"] for a in of_type(resources, "AWS::WAFv2::WebACLAssociation").values()]
    assert {a["WebACLArn"] for a in associations} == {REGIONAL_WEB_ACL}
    targets = [a["ResourceArn"] for a in associations]
    assert {"Fn::GetAtt": [api, "Arn"]} in targets
    (stage_arn,) = [arn for arn in targets if "Fn::Join" in arn]
    assert {"Ref": stage} in stage_arn["Fn::Join"][1]


def test_GIVEN_the_production_options_THEN_the_distribution_is_protected_by_the_cloudfront_web_acl(
    production: Production,
) -> None:
    assert _distribution(production.template["Resources"])["WebACLId"] == CLOUDFRONT_WEB_ACL


def test_GIVEN_no_web_acls_THEN_nothing_is_associated(resources: Resources) -> None:
    assert not of_type(resources, "AWS::WAFv2::WebACLAssociation")
    assert "WebACLId" not in _distribution(resources)


def test_GIVEN_a_web_acl_of_the_wrong_scope_THEN_it_is_refused_up_front(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    problems = _refused(
        cdk.Stack(fresh_app, "Swapped"), spec,
        web_acl_arn=CLOUDFRONT_WEB_ACL, cloudfront_web_acl_arn=REGIONAL_WEB_ACL,
    )  # fmt: skip
    assert problems == (
        f"web_acl_arn {CLOUDFRONT_WEB_ACL!r} is a CLOUDFRONT-scope web ACL; this needs a REGIONAL-scope one",
        f"cloudfront_web_acl_arn {REGIONAL_WEB_ACL!r} is a REGIONAL-scope web ACL; "
        "this needs a CLOUDFRONT-scope one",
    )


def test_GIVEN_the_api_only_through_the_cdn_THEN_every_method_needs_the_key_only_the_distribution_sends(
    production: Production,
) -> None:
    resources = production.template["Resources"]
    assert all(method["ApiKeyRequired"] is True for method in _methods(resources))
    (key,) = of_type(resources, "AWS::ApiGateway::ApiKey").values()
    (secret,) = [s for s in of_type(resources, "AWS::SecretsManager::Secret") if "WebhookSigningKey" not in s]
    assert {"Ref": secret} in key["Properties"]["Value"]["Fn::Join"][1]  # a reference, not the value
    api_origins = [o for o in _distribution(resources)["Origins"] if "OriginCustomHeaders" in o]
    (origin,) = api_origins
    assert origin["OriginCustomHeaders"] == [
        {"HeaderName": API_KEY_HEADER, "HeaderValue": key["Properties"]["Value"]}
    ]
    (stage,) = of_type(resources, "AWS::ApiGateway::Stage")
    (plan,) = of_type(resources, "AWS::ApiGateway::UsagePlan").values()
    assert [s["Stage"] for s in plan["Properties"]["ApiStages"]] == [{"Ref": stage}]


def test_GIVEN_the_defaults_THEN_the_api_takes_requests_without_a_key(resources: Resources) -> None:
    assert not any(method.get("ApiKeyRequired") for method in _methods(resources))
    assert not of_type(resources, "AWS::ApiGateway::ApiKey")


def test_GIVEN_an_api_only_through_the_cdn_THEN_it_needs_a_site_that_fronts_it(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    without_site = dataclasses.replace(spec, static=None)
    problems = _refused(cdk.Stack(fresh_app, "NoSite"), without_site, api_only_through_cdn=True)
    assert problems == ("api_only_through_cdn needs REST routes and a static/ site to front them",)


def test_GIVEN_reserved_concurrency_by_function_name_THEN_each_named_function_has_it(
    production: Production,
) -> None:
    resources = production.template["Resources"]
    reserved = {
        name: app_function(resources, name)[1].get("ReservedConcurrentExecutions")
        for name in ("get_item", "graphql-authorizer", "list_items")
    }
    assert reserved == {"get_item": 5, "graphql-authorizer": 2, "list_items": None}


def test_GIVEN_reserved_concurrency_of_unknown_functions_THEN_it_is_refused_naming_them(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    problems = _refused(
        cdk.Stack(fresh_app, "Unknown"), spec, reserved_concurrency={"get_itme": 5, "getitem": 1, "tick": -1}
    )
    assert [problem.split(" names nothing")[0] for problem in problems[:2]] == [
        "reserved_concurrency['get_itme']",
        "reserved_concurrency['getitem']",
    ]
    assert "get_item" in problems[0]  # the known names are listed
    assert problems[2] == "reserved_concurrency['tick'] = -1 is not a whole number of executions, 0 or more"


def test_GIVEN_a_route_throttle_THEN_it_becomes_a_method_setting_of_the_stage(production: Production) -> None:
    (stage,) = of_type(production.template["Resources"], "AWS::ApiGateway::Stage").values()
    settings = {(s["HttpMethod"], s["ResourcePath"]): s for s in stage["Properties"]["MethodSettings"]}
    throttled = settings[("GET", "/~1items~1{item_id}")]
    assert (throttled["ThrottlingRateLimit"], throttled["ThrottlingBurstLimit"]) == (10, 20)
    assert throttled["LoggingLevel"] == settings[("*", "/*")]["LoggingLevel"]  # logged as the stage is


def test_GIVEN_route_throttling_of_unknown_routes_or_without_a_burst_THEN_it_is_refused(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    throttling = {
        "GET /itemz": apigateway.ThrottleSettings(rate_limit=1, burst_limit=1),
        "POST /items": apigateway.ThrottleSettings(rate_limit=5),
    }
    problems = _refused(cdk.Stack(fresh_app, "Throttled"), spec, route_throttling=throttling)
    assert len(problems) == 2
    assert problems[0].startswith("route_throttling['GET /itemz'] names nothing in the app")
    assert problems[1] == (
        "route_throttling['POST /items'] needs a rate_limit and a burst_limit, neither negative"
    )
