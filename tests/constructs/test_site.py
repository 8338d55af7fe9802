"""ServeySite: static files on a private bucket behind CloudFront; API and page paths go to API Gateway."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from constructs_lib.props import PropsError
from constructs_lib.site import ServeySite
from servey_cdk.appspec import AppSpec
from servey_cdk.site import IMMUTABLE, api_path_patterns
from tests.constructs.template_queries import Resources, of_type

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def _distribution(resources: Resources) -> dict[str, Any]:
    (distribution,) = of_type(resources, "AWS::CloudFront::Distribution").values()
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def _deployments(resources: Resources) -> list[dict[str, Any]]:
    return [d["Properties"] for d in of_type(resources, "Custom::CDKBucketDeployment").values()]


def test_GIVEN_the_sample_app_THEN_the_sites_api_paths_are_the_first_segments_of_the_routes(
    spec: AppSpec,
) -> None:
    assert api_path_patterns(route.path for route in spec.routes) == (
        "/actions/*", "/items*", "/current-time-page*", "/catalogue*", "/shop*", "/secret-page*",
    )  # fmt: skip


def test_GIVEN_the_sample_stack_THEN_api_and_page_paths_go_uncached_to_the_rest_api(
    resources: Resources, spec: AppSpec
) -> None:
    behaviours = _distribution(resources)["CacheBehaviors"]
    assert [b["PathPattern"] for b in behaviours] == list(api_path_patterns(r.path for r in spec.routes))
    assert {b["CachePolicyId"] for b in behaviours} == {CACHING_DISABLED}


def test_GIVEN_the_sample_stack_THEN_the_site_bucket_is_reached_through_origin_access_control(
    sample_template: Template,
) -> None:
    sample_template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3"})},
    )


def test_GIVEN_the_sample_stack_THEN_cloudfront_may_read_and_list_the_bucket_so_a_missing_key_is_a_404(
    resources: Resources,
) -> None:
    statements = [
        statement
        for policy in of_type(resources, "AWS::S3::BucketPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    actions = {action for statement in statements for action in _as_list(statement["Action"])}
    assert actions == {"s3:GetObject", "s3:ListBucket"}
    assert all("AWS:SourceArn" in str(statement["Condition"]) for statement in statements)


def test_GIVEN_a_root_object_override_THEN_it_is_refused_as_the_bucket_would_be_listed_at_the_root(
    fresh_app: cdk.App, spec: AppSpec
) -> None:
    with pytest.raises(PropsError, match="default_root_object"):
        ServeySite(
            cdk.Stack(fresh_app, "Listed"), "Site", spec=spec, distribution_props={"default_root_object": ""}
        )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_GIVEN_the_sample_stack_THEN_the_sites_root_shows_static_index_html(resources: Resources) -> None:
    assert _distribution(resources)["DefaultRootObject"] == "static/index.html"


def test_GIVEN_the_sample_stack_THEN_every_site_response_carries_security_headers(
    sample_template: Template, resources: Resources
) -> None:
    sample_template.has_resource_properties(
        "AWS::CloudFront::ResponseHeadersPolicy",
        {
            "ResponseHeadersPolicyConfig": Match.object_like(
                {
                    "SecurityHeadersConfig": Match.object_like(
                        {
                            "ContentTypeOptions": {"Override": True},
                            "FrameOptions": {"FrameOption": "DENY", "Override": True},
                            "ReferrerPolicy": Match.object_like({"Override": True}),
                            "StrictTransportSecurity": Match.object_like({"Override": True}),
                            "ContentSecurityPolicy": {
                                "ContentSecurityPolicy": "frame-ancestors 'none'",
                                "Override": False,
                            },
                        }
                    )
                }
            )
        },
    )
    config = _distribution(resources)
    (policy,) = of_type(resources, "AWS::CloudFront::ResponseHeadersPolicy")
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": policy} for b in behaviours)


def test_GIVEN_the_sample_stack_THEN_site_buckets_block_public_access_and_require_ssl(
    resources: Resources,
) -> None:
    buckets = of_type(resources, "AWS::S3::Bucket").values()
    assert all(b["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] for b in buckets)
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
    ]
    assert all(
        any(s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for s in p) for p in policies
    )


def test_GIVEN_hashed_static_files_THEN_they_are_deployed_to_be_kept_for_a_year(
    resources: Resources, spec: AppSpec
) -> None:
    assert spec.static is not None
    (hashed,) = [d for d in _deployments(resources) if d.get("Include")]
    assert hashed["Include"] == [name for name in spec.static.files if name.startswith("catalogue.")]
    assert (hashed["Exclude"], hashed["DestinationBucketKeyPrefix"]) == (["*"], "static/")
    assert hashed["SystemMetadata"]["cache-control"] == IMMUTABLE
    assert "DistributionId" not in hashed  # new names need no invalidation


def test_GIVEN_other_static_files_THEN_they_are_deployed_to_be_revalidated_and_invalidated(
    resources: Resources,
) -> None:
    (others,) = [d for d in _deployments(resources) if not d.get("Include")]
    assert others["Exclude"] == [n for d in _deployments(resources) for n in d.get("Include", [])]
    assert others["SystemMetadata"]["cache-control"] == "no-cache"
    assert (others["DestinationBucketKeyPrefix"], others["DistributionPaths"]) == ("static/", ["/*"])


def test_GIVEN_no_spa_fallback_THEN_no_path_is_rewritten(resources: Resources) -> None:
    assert not of_type(resources, "AWS::CloudFront::Function")
    assert "CustomErrorResponses" not in _distribution(resources)


def test_GIVEN_an_spa_fallback_THEN_it_rewrites_only_the_sites_own_paths(
    fresh_app: cdk.App, spec: AppSpec
) -> None:
    assert spec.static is not None
    spa_spec = dataclasses.replace(spec, static=dataclasses.replace(spec.static, spa_fallback="index.html"))
    stack = cdk.Stack(fresh_app, "Spa")
    ServeySite(stack, "Site", spec=spa_spec)
    template = Template.from_stack(stack)
    (function,) = template.find_resources("AWS::CloudFront::Function").values()
    code = function["Properties"]["FunctionCode"]
    uris = ["/", "/some/client/route", "/static/app.6d3edb09.js", "/staticx"]
    assert _run_viewer_request(code, uris) == [
        "/static/index.html", "/static/index.html", "/static/app.6d3edb09.js", "/static/index.html",
    ]  # fmt: skip
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultCacheBehavior": Match.object_like(
                        {"FunctionAssociations": [Match.object_like({"EventType": "viewer-request"})]}
                    ),
                    "CustomErrorResponses": Match.absent(),  # those would also replace the API's 403/404
                }
            )
        },
    )


def _run_viewer_request(code: str, uris: list[str]) -> list[str]:
    """The URIs the CloudFront Function sends on, run in Node.js (the runtime CloudFront's is built on)."""
    node = os.environ.get("JSII_NODE") or shutil.which("node")
    assert node is not None, "Node.js is installed with the cdk extra"
    sent = f"{json.dumps(uris)}.map(uri => handler({{request: {{uri: uri}}}}).uri)"
    script = f"{code}\nconsole.log(JSON.stringify({sent}));"
    run = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=60)
    uris_sent: list[str] = json.loads(run.stdout)
    return uris_sent
