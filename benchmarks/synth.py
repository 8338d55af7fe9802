"""Synth time of ServeyApp against a hand-written stack creating the same resources.

For apps of 10, 50 and 100 actions (one Lambda function, one REST method and one 405 mock each),
both stacks are built and synthesized in the same process, best of `--repeat` runs, and the ratio
printed.

    python benchmarks/synth.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from constructs_lib.node import supported_node

os.environ.setdefault("JSII_NODE", supported_node() or "node")  # jsii's Node, before aws_cdk starts it

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from constructs_lib import ServeyApp, defaults
from constructs_lib.packaging import build_layer, layer_requirements, stage_code
from servey_cdk.appspec import ActionSpec, AppSpec, AuthSpec, FunctionSpec, RouteSpec

SIZES = (10, 50, 100)
APP_ROOT = Path(__file__).resolve().parents[1] / "sample_app"
# The layer ServeyApp builds for the sample app; the hand-written stack ships the same one.
REQUIREMENTS = layer_requirements(APP_ROOT, (), defaults.LAYER_REQUIREMENTS)


def generated_spec(size: int) -> AppSpec:
    names = [f"action_{index}" for index in range(size)]
    return AppSpec(
        app_module="sample_app",
        root=str(APP_ROOT),
        router_for_all=False,
        actions=tuple(
            ActionSpec(
                name, name, None, {}, {}, requires_token=False, cache_control="", timeout=30, memory=256
            )
            for name in names
        ),
        functions=tuple(
            FunctionSpec(
                name, (name,), 30, 256, {"SERVEY_ACTION_PATH": "sample_app", "SERVEY_FUNCTION": name}
            )
            for name in names
        ),
        routes=tuple(RouteSpec("GET", f"/actions/{name}", name, name, "action", (), False) for name in names),
        graphql=None,
        schedules=(),
        queues=(),
        subscriptions=(),
        s3_triggers=(),
        static=None,
        auth=AuthSpec(token_required=False, scopes=()),
    )


def servey_stack(app: cdk.App, spec: AppSpec, cache: Path) -> None:
    stack = cdk.Stack(app, "Generated")
    ServeyApp(stack, "App", spec=spec, layer_cache_dir=cache, monitoring=False)  # the hand stack has none


def hand_written_stack(app: cdk.App, spec: AppSpec, cache: Path) -> None:
    """What ServeyApp makes of a REST-only spec, written out by hand: the same resources and settings,
    and the same cdk-nag acknowledgments a secure stack needs to pass the same gates."""
    stack = cdk.Stack(app, "HandWritten")
    outdir = Path(app.outdir)
    code = lambda_.Code.from_asset(str(stage_code(APP_ROOT, "sample_app", outdir / "code")))
    layer_dir = build_layer(REQUIREMENTS, "3.14", "arm64", cache)
    layer = lambda_.LayerVersion(
        stack,
        "Dependencies",
        code=lambda_.Code.from_asset(str(layer_dir)),
        compatible_runtimes=[defaults.RUNTIME],
        compatible_architectures=[defaults.ARCHITECTURE],
    )
    dead_letters = sqs.Queue(stack, "DeadLetters", **defaults.dead_letter_queue_props())
    acknowledge(dead_letters, "AwsSolutions-SQS3", "the dead-letter queue of asynchronous invocations")
    acknowledge(dead_letters, "Serverless-SQSRedrivePolicy", "the dead-letter queue")
    access_logs = logs.LogGroup(stack, "AccessLogs", **defaults.log_group_props())
    api = apigateway.RestApi(
        stack,
        "Api",
        **defaults.rest_api_props(),
        deploy_options=apigateway.StageOptions(**defaults.stage_options(access_logs)),
    )
    for rule in ("AwsSolutions-APIG3", "AwsSolutions-APIG4", "AwsSolutions-COG4"):
        acknowledge(api, rule, "as ServeyRestApi acknowledges it")
    validator = api.add_request_validator(
        "Parameters", validate_request_parameters=True, validate_request_body=True
    )
    for item in spec.functions:
        function_logs = logs.LogGroup(stack, f"{item.name}Logs", **defaults.log_group_props())
        role = iam.Role(stack, f"{item.name}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        function_logs.grant_write(role)
        acknowledge(role, "AwsSolutions-IAM5[Resource::*]", "X-Ray has no resource-level permissions")
        function = lambda_.Function(
            stack,
            item.name,
            **defaults.function_props(),
            code=code,
            layers=[layer],
            timeout=cdk.Duration.seconds(item.timeout),
            memory_size=item.memory,
            environment=item.environment,
            log_group=function_logs,
            dead_letter_queue=dead_letters,
            role=role,
        )
        route = spec.routes[spec.functions.index(item)]
        resource = api.root.resource_for_path(route.path)
        resource.add_method(
            route.method,
            apigateway.LambdaIntegration(function),
            request_validator=validator,
            operation_name=route.action,
        )
        other_methods = apigateway.MockIntegration(
            request_templates={"application/json": '{"statusCode": 405}'},
            passthrough_behavior=apigateway.PassthroughBehavior.NEVER,
            integration_responses=[
                apigateway.IntegrationResponse(
                    status_code="405",
                    response_parameters={"method.response.header.Allow": f"'{route.method}, OPTIONS'"},
                    response_templates={"application/json": '{"error": "method_not_allowed"}'},
                )
            ],
        )
        resource.add_method(
            "ANY",
            other_methods,
            method_responses=[
                apigateway.MethodResponse(
                    status_code="405", response_parameters={"method.response.header.Allow": True}
                )
            ],
        )
    for name, response_type, status in (
        ("NotFound", apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, "404"),
        ("MissingParameters", apigateway.ResponseType.BAD_REQUEST_PARAMETERS, "422"),
    ):
        api.add_gateway_response(
            name, type=response_type, status_code=status, templates={"application/json": '{"error": "x"}'}
        )


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    pack = rule.split("-", 1)[0]
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=f"{pack}::{rule}", reason=reason))


def synth_seconds(
    build: Callable[[cdk.App, AppSpec, Path], None], spec: AppSpec, cache: Path, repeat: int
) -> float:
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as outdir:
            start = time.perf_counter()
            # 100 one-function actions exceed CloudFormation's 500 resources per stack (deploy such apps
            # with router_for_all); CDK's check of that limit is lifted here to time the synthesis alone.
            app = cdk.App(outdir=outdir, context={"@aws-cdk/core:stackResourceLimit": 0})
            cdk.Validations.of(app).acknowledge(
                cdk.Acknowledgment(id="CloudFormation-Validate::F0007", reason="timing synthesis only")
            )
            build(app, spec, cache)
            app.synth()
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache_dir:
        cache = Path(cache_dir)
        synth_seconds(
            hand_written_stack, generated_spec(1), cache, 1
        )  # warm up jsii and build the layer once
        print(f"{'actions':>7} | {'hand-written s':>14} | {'ServeyApp s':>11} | {'ratio':>5}")
        print(f"{'-' * 7}-+-{'-' * 14}-+-{'-' * 11}-+-{'-' * 5}")
        for size in SIZES:
            spec = generated_spec(size)
            hand = synth_seconds(hand_written_stack, spec, cache, args.repeat)
            servey = synth_seconds(servey_stack, spec, cache, args.repeat)
            print(f"{size:>7} | {hand:>14.2f} | {servey:>11.2f} | {servey / hand:>5.2f}")


if __name__ == "__main__":
    main()
