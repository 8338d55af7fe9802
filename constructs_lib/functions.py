"""`ServeyFunctions`: one Lambda function per `FunctionSpec`, sharing one code asset and one layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stage
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_lib import defaults, packaging
from constructs_lib.builders import (
    ONE_NAME_FOR_ALL,
    acknowledge,
    acknowledge_checkov,
    construct_id,
    dead_letter_queue,
    dead_letter_queue_props_problems,
    log_group,
    log_group_props_problems,
)
from constructs_lib.packaging import build_layer, stage_code
from constructs_lib.props import (
    Props,
    merged,
    override_problems,
    owned_keys_problems,
    raise_if_any,
    unknown_names_problems,
)
from servey_cdk.appspec import AUTHORIZER, WEBSOCKET, AppSpec
from servey_cdk.wire import FUNCTION_METADATA

OWNED_FUNCTION_PROPS = (
    *("code", "handler", "layers", "role", "log_group", "dead_letter_queue"),
    *("environment", "timeout", "memory_size", "description"),
)


class ServeyFunctions(Construct):
    """The app's Lambda functions, plus the AppSync authorizer and the websocket function it needs.

    The layer holds the framework's requirements, the app's own (`requirements.txt` or
    `pyproject.toml` beside it) and `layer_requirements`, in that order.

    Attributes: `functions` (by FunctionSpec name), `authorizer`, `websocket`, `log_groups`,
    `roles`, `code`, `layer`, `requirements` (the layer's), `dead_letter_queue` (of asynchronous
    invocations). Each function's template resource names its FunctionSpec in `servey:function`
    metadata. `reserved_concurrency` reserves concurrent executions by function name (the
    authorizer's and websocket function's names included).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        function_props: Props | None = None,
        log_group_props: Props | None = None,
        layer_requirements: Sequence[str] = (),
        layer_cache_dir: Path | None = None,
        dead_letter_queue_props: Props | None = None,
        reserved_concurrency: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any(
            "ServeyFunctions",
            functions_problems(
                spec, function_props, reserved_concurrency,
                log_group_props=log_group_props, dead_letter_queue_props=dead_letter_queue_props,
            ),
        )  # fmt: skip
        self.spec = spec
        self._reserved_concurrency = dict(reserved_concurrency or {})
        self._function_props = merged(defaults.function_props(), function_props)
        self._log_group_props = log_group_props
        runtime: lambda_.Runtime = self._function_props["runtime"]
        architecture: lambda_.Architecture = self._function_props["architecture"]
        code_dir = Path(Stage.of(self).outdir) / "servey-code" / self.node.addr  # type: ignore[union-attr]
        python_version = runtime.name.removeprefix("python")
        shipped = spec.shipped().to_json()
        staged = stage_code(Path(spec.root), spec.app_module, code_dir, shipped, python_version)
        self.code = lambda_.Code.from_asset(str(staged))
        self.requirements = packaging.layer_requirements(
            Path(spec.root), layer_requirements, defaults.LAYER_REQUIREMENTS
        )
        layer_dir = build_layer(self.requirements, python_version, architecture.name, layer_cache_dir)
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[runtime],
            compatible_architectures=[architecture],
            description=f"Third-party dependencies of {spec.app_module}",
        )
        # Failed asynchronous invocations (schedules, object events) land here: nothing is lost.
        self.dead_letter_queue = dead_letter_queue(
            self, "DeadLetters", "asynchronous invocations", dead_letter_queue_props
        )
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.roles: dict[str, iam.Role] = {}
        made = {
            item.name: self._function(item.name, item.timeout, item.memory, item.environment)
            for item in spec.functions
        }
        self.authorizer = made.pop(AUTHORIZER, None)
        self.websocket = made.pop(WEBSOCKET, None)
        self.functions = made

    @property
    def all_functions(self) -> dict[str, lambda_.Function]:
        extra = {AUTHORIZER: self.authorizer, WEBSOCKET: self.websocket}
        return {**self.functions, **{name: fn for name, fn in extra.items() if fn is not None}}

    def _function(
        self, name: str, timeout: int, memory: int, environment: dict[str, str]
    ) -> lambda_.Function:
        id = construct_id(name)
        logs_of_function = log_group(self, f"{id}Logs", self._log_group_props)
        role = iam.Role(
            self,
            f"{id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {name} function",
        )
        # An explicit grant on its own log group instead of AWSLambdaBasicExecutionRole's logs:* on *.
        logs_of_function.grant_write(role)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions",
        )
        props: dict[str, Any] = {
            **self._function_props,
            "code": self.code,
            "layers": [self.layer],
            "timeout": Duration.seconds(timeout),
            "memory_size": memory,
            "environment": dict(environment),
            "log_group": logs_of_function,
            "dead_letter_queue": self.dead_letter_queue,
            "role": role,
            "description": f"servey-cdk {self.spec.app_module}: {name}",
        }
        if name in self._reserved_concurrency:
            props["reserved_concurrent_executions"] = self._reserved_concurrency[name]
        self.log_groups[name] = logs_of_function
        self.roles[name] = role
        function = lambda_.Function(self, id, **props)
        resource = function.node.default_child
        assert isinstance(resource, lambda_.CfnFunction)
        resource.add_metadata(FUNCTION_METADATA, name)
        _acknowledge_checkov(resource)
        return function


def _acknowledge_checkov(resource: lambda_.CfnFunction) -> None:
    """What checkov asks of every function and servey-cdk leaves to the owner, where the owner has not
    given it (reserved_concurrency, function_props)."""
    if resource.reserved_concurrent_executions is None:
        acknowledge_checkov(
            resource,
            "CKV_AWS_115",
            "Reserved concurrency is set per function by reserved_concurrency: reserving by default could "
            "exceed an account's quota (as low as 10 on new accounts) and fail the deployment",
        )
    if resource.vpc_config is None:
        acknowledge_checkov(
            resource,
            "CKV_AWS_117",
            "The functions reach AWS's public endpoints and no private resource; in a VPC "
            "(function_props vpc) they would need NAT or VPC endpoints to reach those",
        )
    if resource.kms_key_arn is None:
        acknowledge_checkov(
            resource,
            "CKV_AWS_173",
            "The environment holds names, URLs and key ids, no secrets; Lambda encrypts it at rest under "
            "its AWS-managed key (function_props environment_encryption names another)",
        )


def functions_problems(
    spec: AppSpec,
    function_props: Props | None,
    reserved_concurrency: Mapping[str, int] | None = None,
    *,
    log_group_props: Props | None = None,
    dead_letter_queue_props: Props | None = None,
) -> list[str]:
    problems = override_problems("function_props", function_props, lambda_.Function, OWNED_FUNCTION_PROPS)
    problems += owned_keys_problems("function_props", function_props, ("function_name",), ONE_NAME_FOR_ALL)
    problems += log_group_props_problems(log_group_props)
    problems += dead_letter_queue_props_problems(dead_letter_queue_props)
    given = reserved_concurrency or {}
    known = [item.name for item in spec.functions]
    problems += unknown_names_problems("reserved_concurrency", given, known)
    problems += [
        f"reserved_concurrency[{name!r}] = {value!r} is not a whole number of executions, 0 or more"
        for name, value in sorted(given.items())
        if not isinstance(value, int) or isinstance(value, bool) or value < 0
    ]
    return problems
