"""`ServeySite`: the app's static files on S3 behind CloudFront; API and page paths go to API Gateway."""

from __future__ import annotations

from aws_cdk import DefaultStackSynthesizer, Fn, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from constructs_lib import builders, defaults
from constructs_lib.builders import (
    BASIC_EXECUTION_POLICY,
    acknowledge,
    acknowledge_cdk_handler,
    acknowledge_checkov,
    logical_id,
    stack_singleton,
)
from constructs_lib.props import Props, merged, override_problems, raise_if_any
from constructs_lib.waf import web_acl_problems
from servey_cdk.appspec import AppSpec, StaticSpec
from servey_cdk.site import IMMUTABLE, INDEX, REVALIDATE, STATIC_PREFIX, api_path_patterns, is_content_hashed

# default_root_object too: CloudFront may list the bucket, so without it `/` would list the files.
OWNED_DISTRIBUTION_PROPS = ("default_behavior", "additional_behaviors", "default_root_object")
API_KEY_HEADER = "x-api-key"


class ServeySite(Construct):
    """Attributes: `bucket`, `access_logs_bucket`, `distribution`, `deployment` (the files revalidated
    on each use), `asset_deployment` (content-hashed files, cached for a year; None without any),
    `headers_policy`, `spa_function` (None unless the spec sets an SPA fallback), `api_paths` (the
    CloudFront path patterns sent to the REST API, or to `http_api` for an app of the HTTP API).

    The files of static/ are served under /static/, and / shows static/index.html. `web_acl_arn`
    names a CLOUDFRONT-scope WAF web ACL (made in us-east-1) for the distribution. With
    `api_origin_key` (`ServeyRestApi.origin_key`), each request forwarded to the API carries that key
    in `x-api-key`, replacing any the viewer sent.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        rest_api: apigateway.RestApi | None = None,
        http_api: apigatewayv2.IHttpApi | None = None,
        bucket_props: Props | None = None,
        distribution_props: Props | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        web_acl_arn: str | None = None,
        api_origin_key: secretsmanager.ISecret | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = site_problems(
            spec, distribution_props, rest_api is not None or http_api is not None, web_acl_arn,
            api_origin_key is not None,
            bucket_props=bucket_props,
        )  # fmt: skip
        if spec.static is None:
            problems.append(f"the app {spec.app_module!r} has no static/ directory")
        raise_if_any("ServeySite", problems)
        static = spec.static
        assert static is not None
        self.access_logs_bucket = access_logs_bucket or builders.access_logs_bucket(self, "AccessLogs")
        self.bucket = builders.bucket(self, "Bucket", bucket_props, self.access_logs_bucket, "site-bucket/")
        self.headers_policy = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders", security_headers_behavior=defaults.security_headers()
        )
        api_origin = self._api_origin(rest_api, http_api, api_origin_key)
        self.api_paths = api_path_patterns(route.path for route in spec.routes) if api_origin else ()
        api_behavior = api_origin and cloudfront.BehaviorOptions(
            origin=api_origin,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            response_headers_policy=self.headers_policy,
        )
        self.spa_function = self._spa_function(static.spa_fallback) if static.spa_fallback else None
        options = merged(
            {
                "enable_logging": True,
                "log_bucket": self.access_logs_bucket,
                "log_file_prefix": "distribution/",
                **({"web_acl_id": web_acl_arn} if web_acl_arn else {}),
            },
            distribution_props,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            **options,
            default_root_object=STATIC_PREFIX + INDEX,
            default_behavior=cloudfront.BehaviorOptions(
                # LIST too: without it S3 answers a missing key with 403, and a miss should be a 404.
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.bucket,
                    origin_access_levels=[cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self.headers_policy,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.spa_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ]
                if self.spa_function
                else None,
            ),
            additional_behaviors=dict.fromkeys(self.api_paths, api_behavior) if api_behavior else None,
        )
        self._deploy(static)
        self._acknowledge(options)

    @staticmethod
    def _api_origin(
        rest_api: apigateway.RestApi | None,
        http_api: apigatewayv2.IHttpApi | None,
        api_origin_key: secretsmanager.ISecret | None,
    ) -> cloudfront.IOrigin | None:
        if rest_api is not None:
            key = api_origin_key.secret_value.unsafe_unwrap() if api_origin_key else None
            return origins.RestApiOrigin(rest_api, custom_headers={API_KEY_HEADER: key} if key else None)
        if http_api is not None:  # its `$default` stage serves at the root of its execute-api host
            return origins.HttpOrigin(Fn.select(2, Fn.split("/", http_api.api_endpoint)))
        return None

    def _deploy(self, static: StaticSpec) -> None:
        """Two syncs of one asset: content-hashed files cached for a year (they never change, and
        need no invalidation), and every other file revalidated on each use."""
        source = s3_deployment.Source.asset(static.directory)
        hashed = [name for name in static.files if is_content_hashed(name)]
        self.asset_deployment = (
            s3_deployment.BucketDeployment(
                self,
                "HashedFiles",
                sources=[source],
                destination_bucket=self.bucket,
                destination_key_prefix=STATIC_PREFIX,
                exclude=["*"],
                include=hashed,
                cache_control=[s3_deployment.CacheControl.from_string(IMMUTABLE)],
            )
            if hashed
            else None
        )
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Files",
            sources=[source],
            destination_bucket=self.bucket,
            destination_key_prefix=STATIC_PREFIX,
            exclude=hashed or None,
            cache_control=[s3_deployment.CacheControl.from_string(REVALIDATE)],
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        if self.asset_deployment is not None:
            # Pages that name new hashed files are invalidated only once those files are there.
            self.deployment.node.add_dependency(self.asset_deployment)

    def _spa_function(self, fallback: str) -> cloudfront.Function:
        """Every path of the site outside /static/ shows the fallback file (the API's paths never
        reach this behaviour). A function, not error responses: those would replace the API's own
        403 and 404 answers too."""
        code = (
            "function handler(event) {\n"
            "  var request = event.request;\n"
            f"  if (request.uri.indexOf('/{STATIC_PREFIX}') !== 0) {{\n"
            f"    request.uri = '/{STATIC_PREFIX}{fallback}';\n"
            "  }\n"
            "  return request;\n"
            "}\n"
        )
        return cloudfront.Function(
            self,
            "SpaFallback",
            code=cloudfront.FunctionCode.from_inline(code),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _acknowledge(self, options: Props) -> None:
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The app serves every country; add geo restrictions via distribution_props",
        )
        if not options.get("web_acl_id"):
            waf = "A WAF web ACL is an account-level choice with its own cost; pass web_acl_arn"
            acknowledge(self.distribution, "AwsSolutions-CFR2", waf)
            acknowledge_checkov(self.distribution, "CKV_AWS_68", waf)
        if not options.get("certificate"):
            tls = (
                "The default *.cloudfront.net certificate cannot pin TLS 1.2; "
                "pass a domain and certificate in distribution_props to enforce it"
            )
            acknowledge(self.distribution, "AwsSolutions-CFR4", tls)
            acknowledge_checkov(self.distribution, "CKV_AWS_174", tls)
        self._acknowledge_deployment_handler()

    def _acknowledge_deployment_handler(self) -> None:
        handler = stack_singleton(self, "Custom::CDKBucketDeployment")
        assert handler is not None
        reason = "CDK's own BucketDeployment handler, run only while deploying; its settings are CDK's"
        for rule in (
            "AwsSolutions-L1", "Serverless-LambdaLatestVersion", "Serverless-LambdaTracing",
            "Serverless-LambdaDLQ", f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_POLICY}]",
        ):  # fmt: skip
            acknowledge(handler, rule, reason)
        acknowledge_cdk_handler(handler, reason)
        acknowledge_checkov(handler, "CKV_AWS_173", f"{reason}; its one variable is the CA bundle's path")
        (policy,) = [child for child in handler.node.find_all() if isinstance(child, iam.CfnPolicy)]
        invalidations = "The site deployment creates CloudFront invalidations, which name no resource"
        acknowledge_checkov(policy, "CKV_AWS_111", invalidations)
        synthesizer = Stack.of(self).synthesizer
        qualifier = (
            getattr(synthesizer, "bootstrap_qualifier", None) or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        )
        copying = {
            "Resource::arn:<AWS::Partition>:s3:::cdk-"
            f"{qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*": "reads the staged asset's objects",
            f"Resource::<{logical_id(self.bucket)}.Arn>/*": "replaces the site's objects",
            "Resource::*": "CloudFront invalidations have no resource-level permissions",
            **{f"Action::s3:{action}*": "uses CDK's grant_read_write on the buckets it copies between"
               for action in ("List", "GetObject", "GetBucket", "DeleteObject", "Abort")},
        }  # fmt: skip
        for finding, why in copying.items():
            acknowledge(handler, f"AwsSolutions-IAM5[{finding}]", f"The site deployment {why}")


def site_problems(
    spec: AppSpec,
    distribution_props: Props | None,
    with_api: bool,
    web_acl_arn: str | None = None,
    with_origin_key: bool = False,
    web_acl_prop: str = "web_acl_arn",
    bucket_props: Props | None = None,
) -> list[str]:
    problems = override_problems(
        "distribution_props", distribution_props, cloudfront.Distribution, OWNED_DISTRIBUTION_PROPS
    )
    problems += builders.bucket_props_problems(bucket_props)
    problems += web_acl_problems(web_acl_prop, web_acl_arn, "global")
    if web_acl_arn and (distribution_props or {}).get("web_acl_id"):
        problems.append(f"give the distribution's web ACL in {web_acl_prop} or distribution_props, not both")
    if with_origin_key and not with_api:
        problems.append("the site would send an origin key to the REST API, but fronts none")
    problems += [
        f"route {route.method} / of action {route.action!r}: '/' is the site's own index"
        for route in spec.routes
        if route.path == "/" and with_api
    ]
    return problems
