"""`ServeyRestApi`: an API Gateway REST API with one method per route, each proxied to its function.

What API Gateway answers by itself is set to `servey_cdk.api_gateway`'s answers, as
servey-local gives them: an unknown path is a 404 (a gateway response, not API
Gateway's 403 "Missing Authentication Token"), another method of a known path a 405
(a mock `ANY` method on the resource), a missing required query parameter a 422.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import acknowledge, log_group
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, owned_keys_problems, raise_if_any
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

OWNED_REST_API_PROPS = ("deploy_options",)


class ServeyRestApi(Construct):
    """Attributes: `rest_api`, `methods` (by "METHOD /path"), `other_methods` (the 405 mocks, by
    path), `gateway_responses` (by response type), `access_logs`, `request_validator`."""

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
        self.other_methods = {
            path: self._other_methods(path, list(routes)) for path, routes in spec.routes_by_path().items()
        }
        self.gateway_responses = self._gateway_responses()
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
        return self.rest_api.root.resource_for_path(path).add_method(
            "ANY",
            mock,
            method_responses=[
                apigateway.MethodResponse(
                    status_code="405",
                    response_parameters={f"method.response.header.{name}": True for name in headers},
                )
            ],
        )

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
    for name in required_query_parameters(route, spec):
        required[f"method.request.querystring.{name}"] = True
    return required


def rest_api_problems(rest_api_props: Props | None) -> list[str]:
    return owned_keys_problems("rest_api_props", rest_api_props, OWNED_REST_API_PROPS)
