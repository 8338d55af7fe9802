"""The defaults every construct starts from; `xxx_props` overrides are merged over these.

Secure by default: encryption, SSL-only access, access logs, least privilege, DLQs.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from servey_cdk.api_gateway import CORS_ALLOW_HEADERS
from servey_cdk.graphql_limits import GraphQLLimits
from servey_cdk.http_api import STAGE as HTTP_STAGE
from servey_cdk.subscriptions import QUEUE_MESSAGE_MAX_BYTES
from servey_cdk.wire import HANDLER

# The latest Python runtime: what cdk-nag's AwsSolutions-L1 asks for; the layer is built for it.
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# What the runtime imports beyond the standard library; boto3 is already on Lambda.
# An app's own requirements and the caller's are added to these, never put in their place.
LAYER_REQUIREMENTS = (
    "pydantic>=2.7,<3",
    "pyjwt[crypto]>=2.8,<3",  # RS256: verifying KMS-signed tokens needs cryptography
    "jinja2>=3.1,<4",
    "aws-lambda-powertools[tracer]>=3,<4",  # the tracer needs aws-xray-sdk (SERVEY_TRACING=1)
)
THROTTLING_RATE = 100
THROTTLING_BURST = 200
SCHEDULE_INPUT_KEY = "servey_schedule"


def function_props() -> dict[str, Any]:
    return {
        "runtime": RUNTIME,
        "architecture": ARCHITECTURE,
        "handler": HANDLER,
        "tracing": lambda_.Tracing.ACTIVE,
    }


def log_group_props() -> dict[str, Any]:
    return {"retention": LOG_RETENTION, "removal_policy": RemovalPolicy.DESTROY}


def rest_api_props() -> dict[str, Any]:
    return {
        "description": "servey-cdk REST API",
        "default_cors_preflight_options": apigateway.CorsOptions(
            allow_origins=apigateway.Cors.ALL_ORIGINS,
            allow_methods=apigateway.Cors.ALL_METHODS,
            allow_headers=list(CORS_ALLOW_HEADERS),
        ),
        "cloud_watch_role": True,
        "cloud_watch_role_removal_policy": RemovalPolicy.DESTROY,
    }


def stage_options(access_log: logs.ILogGroup) -> dict[str, Any]:
    return {
        "stage_name": "api",
        "throttling_rate_limit": THROTTLING_RATE,
        "throttling_burst_limit": THROTTLING_BURST,
        "tracing_enabled": True,
        "logging_level": apigateway.MethodLoggingLevel.ERROR,
        "access_log_destination": apigateway.LogGroupLogDestination(access_log),
        "access_log_format": apigateway.AccessLogFormat.json_with_standard_fields(
            caller=True, http_method=True, ip=True, protocol=True, request_time=True,
            resource_path=True, response_length=True, status=True, user=True,
        ),
    }  # fmt: skip


def http_api_props(app_module: str) -> dict[str, Any]:
    return {
        "api_name": f"{app_module}-http",
        "description": "servey-cdk HTTP API",
        "cors_preflight": apigatewayv2.CorsPreflightOptions(
            allow_origins=["*"],
            allow_methods=[apigatewayv2.CorsHttpMethod.ANY],
            allow_headers=list(CORS_ALLOW_HEADERS),
        ),
    }


def http_stage_props() -> dict[str, Any]:
    return {
        "stage_name": HTTP_STAGE,  # served at the API's root, as the spec's paths read
        "auto_deploy": True,
        "throttle": apigatewayv2.ThrottleSettings(rate_limit=THROTTLING_RATE, burst_limit=THROTTLING_BURST),
    }


def websocket_stage_props() -> dict[str, Any]:
    return {
        "stage_name": "live",
        "auto_deploy": True,
        "throttle": apigatewayv2.ThrottleSettings(rate_limit=THROTTLING_RATE, burst_limit=THROTTLING_BURST),
    }


def graphql_api_props(limits: GraphQLLimits) -> dict[str, Any]:
    return {
        "xray_enabled": True,
        "query_depth_limit": limits.depth,
        "resolver_count_limit": limits.resolvers,
        "introspection_config": appsync.IntrospectionConfig.ENABLED
        if limits.introspection
        else appsync.IntrospectionConfig.DISABLED,
    }


def dead_letter_queue_props() -> dict[str, Any]:
    return {
        "encryption": sqs.QueueEncryption.SQS_MANAGED,
        "enforce_ssl": True,
        "retention_period": Duration.days(14),
    }


def queue_props() -> dict[str, Any]:
    return {
        "encryption": sqs.QueueEncryption.SQS_MANAGED,
        "enforce_ssl": True,
        "max_message_size_bytes": QUEUE_MESSAGE_MAX_BYTES,  # what the publishers check events against
    }


def connections_table_props() -> dict[str, Any]:
    return {
        "partition_key": dynamodb.Attribute(name="connection_id", type=dynamodb.AttributeType.STRING),
        "sort_key": dynamodb.Attribute(name="subscription", type=dynamodb.AttributeType.STRING),
        "billing_mode": dynamodb.BillingMode.PAY_PER_REQUEST,
        "time_to_live_attribute": "expires_at",
        "point_in_time_recovery_specification": dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        "encryption": dynamodb.TableEncryption.AWS_MANAGED,
        "removal_policy": RemovalPolicy.DESTROY,
    }


def bucket_props() -> dict[str, Any]:
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "encryption": s3.BucketEncryption.S3_MANAGED,
        "enforce_ssl": True,
        "versioned": True,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    }


def access_logs_bucket_props() -> dict[str, Any]:
    # CloudFront standard logs are written with ACLs, so this bucket lets object writers own objects.
    return {
        **bucket_props(),
        "object_ownership": s3.ObjectOwnership.OBJECT_WRITER,
        "lifecycle_rules": [s3.LifecycleRule(expiration=Duration.days(90))],
    }


def security_headers() -> cloudfront.ResponseSecurityHeadersBehavior:
    return cloudfront.ResponseSecurityHeadersBehavior(
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
        # A page's own policy, if it sends one, wins; framing is refused either way (X-Frame-Options).
        content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy="frame-ancestors 'none'", override=False
        ),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption.DENY, override=True
        ),
        referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
            referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
        ),
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=Duration.days(365), include_subdomains=True, override=True
        ),
        xss_protection=cloudfront.ResponseHeadersXSSProtection(
            protection=True, mode_block=True, override=True
        ),
    )
