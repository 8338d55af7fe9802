"""`ServeyRestApi`: an API Gateway REST API with one method per route, each proxied to its function.

What API Gateway answers by itself is set to `servey_cdk.api_gateway`'s answers, as
servey-local gives them: an unknown path is a 404 (a gateway response, not API
Gateway's 403 "Missing Authentication Token"), another method of a known path a 405
(a mock `ANY` method on the resource), a missing required query parameter a 422.

CloudFront reaches the API through its execute-api endpoint, which therefore cannot be
disabled when the site fronts the API. `require_origin_key` closes that way around the CDN
instead: every method requires an API key that only the distribution knows (it adds the key
to each request it forwards), so a request sent to execute-api directly is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import acknowledge, acknowledge_checkov, log_group, log_group_props_problems
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, raise_if_any, unknown_names_problems
from constructs_lib.waf import associate_web_acl, web_acl_problems
from servey_cdk.api_gateway import (
    CORS_ALLOW_ORIGIN,
    ERROR_MESSAGE,
    METHOD,
    MOCK_CONTENT_TYPES,
    REQUEST_ID,
    allowed_methods,
    error_body,
    method_not_allowed,
    missing_parameters,
    no_route,
    required_query_parameters,
)
from servey_cdk.appspec import AppSpec, RouteSpec

ACTIONS_AUTHORIZE = (
    "Each action authorizes its own requests: the runtime verifies the bearer token and scopes of "
    "actions that require one; the others are public by design"
)
OWNED_REST_API_PROPS = ("deploy_options",)
ORIGIN_KEY_LENGTH = 40  # API Gateway takes keys of 20 to 128 characters


class ServeyRestApi(Construct):
    """Attributes: `rest_api`, `methods` (by "METHOD /path"), `other_methods` (the 405 mocks, by
    path), `gateway_responses` (by response type), `access_logs`, `request_validator`,
    `web_acl_association`, and with `require_origin_key` the `origin_key` secret and its `usage_plan`
    (each None otherwise).

    `route_throttling` sets a rate and burst per "METHOD /path" on the stage; `web_acl_arn` names a
    REGIONAL WAF web ACL to associate with the stage.
    """

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
        route_throttling: Mapping[str, apigateway.ThrottleSettings] | None = None,
        web_acl_arn: str | None = None,
        require_origin_key: bool = False,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any(
            "ServeyRestApi",
            rest_api_problems(
                spec, rest_api_props, route_throttling, web_acl_arn,
                stage_props=stage_props, log_group_props=log_group_props,
            ),
        )  # fmt: skip
        self.access_logs = log_group(self, "AccessLogs", log_group_props)
        self.rest_api = apigateway.RestApi(
            self,
            "Api",
            **merged(defaults.rest_api_props(), rest_api_props),
            deploy_options=apigateway.StageOptions(
                **with_route_throttling(
                    merged(defaults.stage_options(self.access_logs), stage_props), route_throttling
                )
            ),
        )
        self.web_acl_association = (
            associate_web_acl(self, self.rest_api.deployment_stage.stage_arn, web_acl_arn)
            if web_acl_arn
            else None
        )
        self.origin_key: secretsmanager.Secret | None = None
        self.usage_plan: apigateway.UsagePlan | None = None
        if require_origin_key:
            self.origin_key, self.usage_plan = self._origin_key()
        # None, not False: without the key, methods stay as they were (a changed method redeploys the API).
        self._key_required = True if require_origin_key else None
        self.request_validator = self.rest_api.add_request_validator(
            "Parameters", validate_request_parameters=True, validate_request_body=True
        )
        self.methods = {
            f"{route.method} {route.path}": self._method(route, spec, functions) for route in spec.routes
        }
        self.other_methods = {
            path: self._other_methods(path, list(routes)) for path, routes in spec.routes_by_path().items()
        }
        self.gateway_responses = self._gateway_responses()
        self._acknowledge(web_acl_arn)

    @property
    def url(self) -> str:
        return self.rest_api.url

    def _method(self, route: RouteSpec, spec: AppSpec, functions: ServeyFunctions) -> apigateway.Method:
        resource = self.rest_api.root.resource_for_path(route.path)
        method = resource.add_method(
            route.method,
            apigateway.LambdaIntegration(functions.functions[route.function], proxy=True),
            request_parameters=request_parameters(route, spec),
            request_validator=self.request_validator,
            operation_name=route.action,
            api_key_required=self._key_required,
        )
        if self.origin_key is None:
            acknowledge_checkov(method, "CKV_AWS_59", ACTIONS_AUTHORIZE)
        return method

    def _origin_key(self) -> tuple[secretsmanager.Secret, apigateway.UsagePlan]:
        """The key the distribution sends in `x-api-key`; the template holds only a reference to it."""
        secret = secretsmanager.Secret(
            self,
            "OriginKey",
            description="The API key CloudFront adds to the requests it forwards to the REST API",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, include_space=False, password_length=ORIGIN_KEY_LENGTH
            ),
        )
        # CloudFormation reads a dynamic reference only when the resource using it changes: a rotated
        # value would reach neither the API key nor the distribution.
        acknowledge(secret, "AwsSolutions-SMG4", "Rotation would leave the API key and CloudFront stale")
        acknowledge_checkov(
            secret,
            "CKV_AWS_149",
            "Secrets Manager's AWS-managed key suffices for a value CloudFront's configuration shows anyway",
        )
        stage = apigateway.UsagePlanPerApiStage(api=self.rest_api, stage=self.rest_api.deployment_stage)
        plan = self.rest_api.add_usage_plan("OriginOnly", api_stages=[stage])
        plan.add_api_key(self.rest_api.add_api_key("OriginApiKey", value=secret.secret_value.unsafe_unwrap()))
        return secret, plan

    def _other_methods(self, path: str, methods: list[str]) -> apigateway.Method:
        """A 405 with `Allow` for the methods no route of `path` takes (API Gateway prefers a
        resource's own methods, and its CORS preflight, to `ANY`)."""
        allow = allowed_methods(methods)
        headers = {"Allow": f"'{allow}'", "Access-Control-Allow-Origin": f"'{CORS_ALLOW_ORIGIN}'"}
        body = error_body(method_not_allowed(path, allow, METHOD), REQUEST_ID)
        mock = apigateway.MockIntegration(
            request_templates=dict.fromkeys(MOCK_CONTENT_TYPES, '{"statusCode": 405}'),
            passthrough_behavior=apigateway.PassthroughBehavior.NEVER,
            integration_responses=[
                apigateway.IntegrationResponse(
                    status_code="405",
                    response_parameters={f"method.response.header.{k}": v for k, v in headers.items()},
                    response_templates={"application/json": body},
                )
            ],
        )
        method = self.rest_api.root.resource_for_path(path).add_method(
            "ANY",
            mock,
            method_responses=[
                apigateway.MethodResponse(
                    status_code="405",
                    response_parameters={f"method.response.header.{name}": True for name in headers},
                )
            ],
            api_key_required=self._key_required,
        )
        if self.origin_key is None:
            acknowledge_checkov(method, "CKV_AWS_59", "A mock that answers 405; it reaches no function")
        return method

    def _gateway_responses(self) -> dict[str, apigateway.GatewayResponse]:
        headers = {"Access-Control-Allow-Origin": f"'{CORS_ALLOW_ORIGIN}'"}
        answers = {
            "NotFound": (apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, no_route(METHOD)),
            "MissingParameters": (
                apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
                missing_parameters(ERROR_MESSAGE),
            ),
        }
        return {
            response_type.response_type: self.rest_api.add_gateway_response(
                name,
                type=response_type,
                status_code=str(error.status),
                response_headers=headers,
                templates={"application/json": error_body(error, REQUEST_ID)},
            )
            for name, (response_type, error) in answers.items()
        }

    def _acknowledge(self, web_acl_arn: str | None) -> None:
        reasons = {
            "AwsSolutions-APIG4": ACTIONS_AUTHORIZE,
            "AwsSolutions-COG4": "Tokens are the app's own KMS-signed JWTs, which the runtime verifies",
        }
        if web_acl_arn is None:
            reasons["AwsSolutions-APIG3"] = (
                "A WAF web ACL is an account-level choice with its own cost; pass web_acl_arn"
            )
        for rule, reason in reasons.items():
            acknowledge(self.rest_api, rule, reason)
        stage = self.rest_api.deployment_stage.node.default_child
        assert isinstance(stage, apigateway.CfnStage)
        if not stage.cache_cluster_enabled:
            acknowledge_checkov(
                stage,
                "CKV_AWS_120",
                "Answers depend on each caller's token and actions set their own Cache-Control; a stage "
                "cache, billed by the hour, would serve one caller's answer to another",
            )
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-wide logging role needs AWS's managed push-to-logs policy",
        )


def request_parameters(route: RouteSpec, spec: AppSpec) -> dict[str, bool]:
    """Path parameters, and the required query-string parameters the action's schema names."""
    required = {f"method.request.path.{name}": True for name in route.path_params}
    for name in required_query_parameters(route, spec):
        required[f"method.request.querystring.{name}"] = True
    return required


def with_route_throttling(
    options: dict[str, Any], route_throttling: Mapping[str, apigateway.ThrottleSettings] | None
) -> dict[str, Any]:
    """The stage's options plus a method setting per throttled route (`GET /items/{item_id}` →
    `/items/{item_id}/GET`), logged as the stage is; `stage_props`' own `method_options` win."""
    if not route_throttling:
        return options
    throttled = {}
    for key, throttle in route_throttling.items():
        method, path = key.split(" ", 1)
        throttled[f"{path}/{method}"] = apigateway.MethodDeploymentOptions(
            throttling_rate_limit=throttle.rate_limit,
            throttling_burst_limit=throttle.burst_limit,
            logging_level=options.get("logging_level"),
            metrics_enabled=options.get("metrics_enabled"),
        )
    return {**options, "method_options": {**throttled, **(options.get("method_options") or {})}}


def rest_api_problems(
    spec: AppSpec,
    rest_api_props: Props | None,
    route_throttling: Mapping[str, apigateway.ThrottleSettings] | None = None,
    web_acl_arn: str | None = None,
    *,
    stage_props: Props | None = None,
    log_group_props: Props | None = None,
) -> list[str]:
    problems = override_problems("rest_api_props", rest_api_props, apigateway.RestApi, OWNED_REST_API_PROPS)
    problems += override_problems("stage_props", stage_props, apigateway.StageOptions)
    problems += log_group_props_problems(log_group_props)
    problems += route_throttling_problems(spec, route_throttling)
    problems += web_acl_problems("web_acl_arn", web_acl_arn, "regional")
    return problems


def route_throttling_problems(
    spec: AppSpec, route_throttling: Mapping[str, apigateway.ThrottleSettings] | None
) -> list[str]:
    """Each throttled "METHOD /path" must be a route, with limits API Gateway takes."""
    given = route_throttling or {}
    problems = unknown_names_problems("route_throttling", given, (route.key for route in spec.routes))
    problems += [
        f"route_throttling[{key!r}] needs a rate_limit and a burst_limit, neither negative"
        for key, throttle in sorted(given.items())
        if not (_is_limit(throttle.rate_limit) and _is_limit(throttle.burst_limit))
    ]
    return problems


def _is_limit(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
