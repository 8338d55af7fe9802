"""WAF web ACLs given by ARN: their scope checked up front, and their association with a resource.

A web ACL has one scope: REGIONAL ones protect an API Gateway stage or an AppSync API, in the
stack's region; CLOUDFRONT ones (created in us-east-1, ARN `...:global/webacl/...`) protect a
distribution.
"""

from __future__ import annotations

import re
from typing import Literal

from aws_cdk import Token
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

Scope = Literal["regional", "global"]
ARN = re.compile(r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:(?P<scope>regional|global)/webacl/[^/]+/[^/]+")
SCOPE_NAMES = {"regional": "REGIONAL", "global": "CLOUDFRONT"}


def web_acl_problems(prop_name: str, arn: str | None, scope: Scope) -> list[str]:
    """An ARN known at synth time must name a web ACL of `scope`; a token (an ACL of the same app) is
    left to CloudFormation."""
    if arn is None or Token.is_unresolved(arn):
        return []
    match = ARN.fullmatch(arn)
    if match is None:
        return [f"{prop_name} {arn!r} is not the ARN of a WAFv2 web ACL"]
    if match["scope"] != scope:
        found, wanted = SCOPE_NAMES[match["scope"]], SCOPE_NAMES[scope]
        return [f"{prop_name} {arn!r} is a {found}-scope web ACL; this needs a {wanted}-scope one"]
    return []


def associate_web_acl(scope: Construct, resource_arn: str, web_acl_arn: str) -> wafv2.CfnWebACLAssociation:
    return wafv2.CfnWebACLAssociation(scope, "WebAcl", resource_arn=resource_arn, web_acl_arn=web_acl_arn)
