"""`ServeyRestApi`: an API Gateway REST API with one method per route, each proxied to its function."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import acknowledge, log_group
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, owned_keys_problems, raise_if_any
from servey_cdk.appspec import AppSpec, RouteSpec

OWNED_REST_API_PROPS = ("deploy_options",)
BODY_METHODS = ("POST", "PUT", "PATCH")


class ServeyRestApi(Construct):
    """Attributes: `rest_api`, `methods` (by "METHOD /path"), `access_logs`, `request_validator`."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        rest_api_props: Props | None = None,
        stage_props: Props | None = None,
        log_group_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyRestApi", rest_api_problems(rest_api_props))
        self.access_logs = log_group(self, "AccessLogs", log_group_props)
        self.rest_api = apigateway.RestApi(
            self,
            "Api",
            **merged(defaults.rest_api_props(), rest_api_props),
            deploy_options=apigateway.StageOptions(
                **merged(defaults.stage_options(self.access_logs), stage_props)
            ),
        )
        self.request_validator = self.rest_api.add_request_validator(
            "Parameters", validate_request_parameters=True, validate_request_body=True
        )
        self.methods = {
            f"{route.method} {route.path}": self._method(route, spec, functions) for route in spec.routes
        }
        self._acknowledge()

    @property
    def url(self) -> str:
        return self.rest_api.url

    def _method(self, route: RouteSpec, spec: AppSpec, functions: ServeyFunctions) -> apigateway.Method:
        resource = self.rest_api.root.resource_for_path(route.path)
        return resource.add_method(
            route.method,
            apigateway.LambdaIntegration(functions.functions[route.function], proxy=True),
            request_parameters=request_parameters(route, spec),
            request_validator=self.request_validator,
            operation_name=route.action,
        )

    def _acknowledge(self) -> None:
        reasons = {
            "AwsSolutions-APIG3": "A WAF web ACL is an account-level choice with its own cost; "
            "associate one with rest_api.deployment_stage.stage_arn",
            "AwsSolutions-APIG4": "Each action authorizes its own requests: the runtime verifies the bearer "
            "token and scopes of actions that require one; the others are public by design",
            "AwsSolutions-COG4": "Tokens are the app's own KMS-signed JWTs, which the runtime verifies",
        }
        for rule, reason in reasons.items():
            acknowledge(self.rest_api, rule, reason)
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-wide logging role needs AWS's managed push-to-logs policy",
        )


def request_parameters(route: RouteSpec, spec: AppSpec) -> dict[str, bool]:
    """Path parameters, and the required query-string parameters the action's schema names."""
    required = {f"method.request.path.{name}": True for name in route.path_params}
    if route.method not in BODY_METHODS:
        schema = spec.action(route.action).params_schema
        for name in schema.get("required", ()):
            if name not in route.path_params:
                required[f"method.request.querystring.{name}"] = True
    return required


def rest_api_problems(rest_api_props: Props | None) -> list[str]:
    return owned_keys_problems("rest_api_props", rest_api_props, OWNED_REST_API_PROPS)
