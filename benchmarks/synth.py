"""Synth time of ServeyApp against a hand-written stack creating the same resources.

For apps of 10, 50 and 100 actions (one Lambda function and one REST method each), both stacks
are built and synthesized in the same process, best of `--repeat` runs, and the ratio printed.

    python benchmarks/synth.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

import constructs_lib  # noqa: F401  (a supported Node for jsii, before aws_cdk loads)
from constructs_lib import ServeyApp, defaults
from constructs_lib.packaging import build_layer, stage_code
from servey_cdk.appspec import ActionSpec, AppSpec, AuthSpec, FunctionSpec, RouteSpec

SIZES = (10, 50, 100)
APP_ROOT = Path(__file__).resolve().parents[1] / "sample_app"
REQUIREMENTS = ("pyjwt>=2.8,<3",)


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
            FunctionSpec(name, (name,), 30, 256, {"SERVEY_ACTION_PATH": "sample_app", "SERVEY_ACTION": name})
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
    ServeyApp(stack, "App", spec=spec, layer_requirements=REQUIREMENTS, layer_cache_dir=cache)


def hand_written_stack(app: cdk.App, spec: AppSpec, cache: Path) -> None:
    stack = cdk.Stack(app, "HandWritten")
    outdir = Path(app.outdir)
    code = lambda_.Code.from_asset(str(stage_code(APP_ROOT, "sample_app", outdir / "code")))
    layer_dir = build_layer(REQUIREMENTS, "3.14", "arm64", cache)
    layer = lambda_.LayerVersion(stack, "Dependencies", code=lambda_.Code.from_asset(str(layer_dir)))
    api = apigateway.RestApi(stack, "Api")
    for item in spec.functions:
        function = lambda_.Function(
            stack,
            item.name,
            runtime=defaults.RUNTIME,
            architecture=defaults.ARCHITECTURE,
            handler=defaults.HANDLER,
            code=code,
            layers=[layer],
            timeout=cdk.Duration.seconds(item.timeout),
            memory_size=item.memory,
            environment=item.environment,
            log_group=logs.LogGroup(stack, f"{item.name}Logs", retention=logs.RetentionDays.ONE_MONTH),
        )
        api.root.resource_for_path(f"/actions/{item.name}").add_method(
            "GET", apigateway.LambdaIntegration(function)
        )


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
