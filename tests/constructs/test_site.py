"""ServeySite: static files on a private bucket behind CloudFront; API and page paths go to API Gateway."""

from __future__ import annotations

from template_queries import Resources, of_type

from constructs_lib.site import api_path_patterns
from servey_cdk.appspec import AppSpec


def _distribution(resources: Resources) -> dict[str, object]:
    (distribution,) = of_type(resources, "AWS::CloudFront::Distribution").values()
    config: dict[str, object] = distribution["Properties"]["DistributionConfig"]
    return config


def test_api_paths_are_the_first_segments_of_the_routes(spec: AppSpec) -> None:
    assert api_path_patterns(spec) == ("/actions/*", "/items*", "/current-time-page*", "/catalogue*")


def test_api_and_page_paths_go_uncached_to_the_rest_api(resources: Resources, spec: AppSpec) -> None:
    behaviours = _distribution(resources)["CacheBehaviors"]
    assert isinstance(behaviours, list)
    assert [b["PathPattern"] for b in behaviours] == list(api_path_patterns(spec))
    assert all(
        b["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" for b in behaviours
    )  # CachingDisabled


def test_the_bucket_is_reached_through_origin_access_control(resources: Resources) -> None:
    assert of_type(resources, "AWS::CloudFront::OriginAccessControl")


def test_every_response_carries_security_headers(resources: Resources) -> None:
    (policy,) = of_type(resources, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


def test_site_buckets_block_public_access_and_require_ssl(resources: Resources) -> None:
    buckets = of_type(resources, "AWS::S3::Bucket").values()
    assert all(b["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] for b in buckets)
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
    ]
    assert all(
        any(s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for s in p) for p in policies
    )


def test_the_static_files_are_deployed_to_the_bucket(resources: Resources) -> None:
    assert of_type(resources, "Custom::CDKBucketDeployment")
