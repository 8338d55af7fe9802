"""`ServeyHttpApi`: an API Gateway HTTP API (payload 2.0) with one route per spec route.

The HTTP API flavour of `ServeyRestApi`, for an app whose spec says `api: "http"`:
cheaper and quicker per request, with fewer features. It serves the same routes
(path parameters, a greedy `{name+}` last), and its `$default` route sends every
request no route takes to one function, whose handler answers the 404, or the 405
with `Allow`, in the same error bodies as the REST API's gateway answers
(`servey_cdk.http_api`). CORS preflights are the HTTP API's own.

There is no gateway authorizer, as on the REST API: every action checks its own
bearer token and scopes in the runtime, so a public route still sees the token it
is sent, and a refusal is the runtime's 401 or 403 body. An HTTP API cannot carry a
WAF web ACL, API keys or usage plans: `ServeyApp` refuses `web_acl_arn` and
`api_only_through_cdn` with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import (
    acknowledge,
    acknowledge_checkov,
    construct_id,
    log_group,
    log_group_props_problems,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, raise_if_any
from constructs_lib.rest import ACTIONS_AUTHORIZE, route_throttling_problems
from servey_cdk.appspec import HTTP_API, AppSpec
from servey_cdk.http_api import INTEGRATION_TIMEOUT_S, default_route_function

OWNED_HTTP_API_PROPS = ("create_default_stage", "default_integration")
OWNED_STAGE_PROPS = ("http_api",)
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey",'
    '"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",'
    '"integrationError":"$context.integrationErrorMessage"}'
)


class ServeyHttpApi(Construct):
    """Attributes: `http_api`, `stage`, `routes` (by "METHOD /path"), `default_route`,
    `integrations` (by function name), `access_logs`.

    `route_throttling` sets a rate and burst per "METHOD /path" on the stage, over the stage's
    default of `defaults.THROTTLING_RATE` and `THROTTLING_BURST`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        http_api_props: Props | None = None,
        stage_props: Props | None = None,
        log_group_props: Props | None = None,
        route_throttling: Mapping[str, apigateway.ThrottleSettings] | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = http_api_problems(spec, http_api_props, route_throttling, stage_props, log_group_props)
        if spec.api != HTTP_API:
            problems.append(f"the app {spec.app_module!r} is built for the {spec.api} API, not the http API")
        raise_if_any("ServeyHttpApi", problems)
        self.integrations: dict[str, integrations.HttpLambdaIntegration] = {}
        default_function = default_route_function(spec)
        self.http_api = apigatewayv2.HttpApi(
            self,
            "Api",
            **merged(defaults.http_api_props(spec.app_module), http_api_props),
            create_default_stage=False,
            default_integration=self._integration(default_function, functions.functions[default_function]),
        )
        self.access_logs = log_group(self, "AccessLogs", log_group_props)
        self.stage = apigatewayv2.HttpStage(
            self, "Stage", **merged(defaults.http_stage_props(), stage_props), http_api=self.http_api
        )
        self._configure_stage(stage_props, route_throttling)
        self.routes: dict[str, apigatewayv2.HttpRoute] = {}
        for route in spec.routes:
            function = functions.functions[route.function]
            (self.routes[route.key],) = self.http_api.add_routes(
                path=route.path,
                methods=[apigatewayv2.HttpMethod(route.method)],
                integration=self._integration(route.function, function),
            )
        default = self.http_api.node.try_find_child("DefaultRoute")
        assert isinstance(default, apigatewayv2.HttpRoute)
        self.default_route = default
        for route_construct in (*self.routes.values(), self.default_route):
            acknowledge(route_construct, "AwsSolutions-APIG4", ACTIONS_AUTHORIZE)
            acknowledge_checkov(route_construct, "CKV_AWS_309", ACTIONS_AUTHORIZE)

    @property
    def url(self) -> str:
        return self.stage.url

    def _integration(self, name: str, function: lambda_.IFunction) -> integrations.HttpLambdaIntegration:
        """One integration per function, shared by its routes (and `$default`'s)."""
        if name not in self.integrations:
            self.integrations[name] = integrations.HttpLambdaIntegration(
                f"{construct_id(name)}Integration",
                function,
                payload_format_version=apigatewayv2.PayloadFormatVersion.VERSION_2_0,
                timeout=Duration.seconds(INTEGRATION_TIMEOUT_S),
            )
        return self.integrations[name]

    def _configure_stage(
        self, stage_props: Props | None, route_throttling: Mapping[str, apigateway.ThrottleSettings] | None
    ) -> None:
        """Access logs as JSON, and each throttled route's own limits (the L2 stage has neither)."""
        stage = self.stage.node.default_child
        assert isinstance(stage, apigatewayv2.CfnStage)
        if "access_log_settings" not in (stage_props or {}):
            stage.access_log_settings = apigatewayv2.CfnStage.AccessLogSettingsProperty(
                destination_arn=self.access_logs.log_group_arn, format=ACCESS_LOG_FORMAT
            )
        if route_throttling:
            stage.route_settings = {
                key: {
                    "ThrottlingRateLimit": throttle.rate_limit,
                    "ThrottlingBurstLimit": throttle.burst_limit,
                }
                for key, throttle in route_throttling.items()
            }


def http_api_problems(
    spec: AppSpec,
    http_api_props: Props | None,
    route_throttling: Mapping[str, apigateway.ThrottleSettings] | None = None,
    stage_props: Props | None = None,
    log_group_props: Props | None = None,
    stage_prop_name: str = "stage_props",
) -> list[str]:
    problems = override_problems("http_api_props", http_api_props, apigatewayv2.HttpApi, OWNED_HTTP_API_PROPS)
    problems += override_problems(stage_prop_name, stage_props, apigatewayv2.HttpStage, OWNED_STAGE_PROPS)
    problems += log_group_props_problems(log_group_props)
    problems += route_throttling_problems(spec, route_throttling)
    if not spec.routes:
        problems.append(f"the app {spec.app_module!r} has no web routes for an HTTP API to serve")
    return problems
