"""`ServeyGraphqlApi`: an AppSync API from the app's SDL, with direct Lambda resolvers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stage
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import (
    acknowledge,
    acknowledge_checkov,
    acknowledge_invoke_wildcard,
    construct_id,
    log_group,
    log_group_props_problems,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, raise_if_any
from constructs_lib.waf import associate_web_acl, web_acl_problems
from servey_cdk.appspec import AppSpec, GraphQLSpec, ResolverSpec

OWNED_GRAPHQL_API_PROPS = ("definition", "schema", "authorization_config", "log_config")
FIELD_LOG_LEVEL = "ERROR"
AUTHORIZATION_CACHE = Duration.minutes(5)
# CDK's flag that grants AppSync the authorizer for this API only (a SourceArn), not for any API.
SCOPED_AUTHORIZER_PERMISSION = "@aws-cdk/aws-appsync:appSyncGraphQLAPIScopeLambdaPermission"
# A batched field: AppSync's BatchInvoke sends the function a list of the direct resolver's events
# (the same keys), and each parent's answer item is its data or, through $util.error, its own error.
BATCH_REQUEST = """{
  "version": "2018-05-29",
  "operation": "BatchInvoke",
  "payload": {
    "arguments": $util.toJson($ctx.arguments),
    "identity": $util.toJson($ctx.identity),
    "source": $util.toJson($ctx.source),
    "request": $util.toJson($ctx.request),
    "prev": $util.toJson($ctx.prev),
    "info": $util.toJson($ctx.info),
    "stash": $util.toJson($ctx.stash)
  }
}"""
BATCH_RESPONSE = """#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end
#if($ctx.result.errorType)
  $util.error($ctx.result.errorMessage, $ctx.result.errorType)
#end
$util.toJson($ctx.result.data)"""


class ServeyGraphqlApi(Construct):
    """Attributes: `graphql_api`, `data_sources` (by function name), `resolvers` (by "Type.field"),
    `logs`, `logs_role`, `web_acl_association` (None without `web_acl_arn`).

    Requests are authorized by the app's authorizer function (`ServeyFunctions.authorizer`), which
    only this API may invoke. Depth, resolver count and introspection follow `spec.graphql.limits`.
    `web_acl_arn` names a REGIONAL WAF web ACL to associate with the API. `log_group_props` shape
    the group of AppSync's logs, which keeps AppSync's own name.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        graphql_api_props: Props | None = None,
        web_acl_arn: str | None = None,
        log_group_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = graphql_api_problems(spec, graphql_api_props, web_acl_arn, log_group_props)
        if spec.graphql is None:
            problems.append(f"the app {spec.app_module!r} has no GraphQL fields")
        raise_if_any("ServeyGraphqlApi", problems)
        assert spec.graphql is not None
        assert functions.authorizer is not None
        self.node.set_context(SCOPED_AUTHORIZER_PERMISSION, True)
        self.graphql_api = appsync.GraphqlApi(
            self,
            "Api",
            **merged(
                {"name": f"{spec.app_module}-graphql", **defaults.graphql_api_props(spec.graphql.limits)},
                graphql_api_props,
            ),
            definition=appsync.Definition.from_schema(
                appsync.SchemaFile.from_asset(self._write_sdl(spec.graphql))
            ),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.LAMBDA,
                    lambda_authorizer_config=appsync.LambdaAuthorizerConfig(
                        handler=functions.authorizer, results_cache_ttl=AUTHORIZATION_CACHE
                    ),
                )
            ),
        )
        self._log_to_own_group(log_group_props)
        self.web_acl_association = (
            associate_web_acl(self, self.graphql_api.arn, web_acl_arn) if web_acl_arn else None
        )
        if web_acl_arn is None:
            acknowledge_checkov(
                self.graphql_api,
                "CKV2_AWS_33",
                "A WAF web ACL is an account-level choice with its own cost; pass web_acl_arn",
            )
        used = dict.fromkeys(resolver.function for resolver in spec.graphql.resolvers)
        self.data_sources = {
            name: self.graphql_api.add_lambda_data_source(construct_id(name), functions.functions[name])
            for name in used
        }
        for name, source in self.data_sources.items():
            acknowledge_invoke_wildcard(source, functions.functions[name])
        self.resolvers = {
            f"{item.type_name}.{item.field_name}": self.graphql_api.create_resolver(
                construct_id(f"{item.type_name}-{item.field_name}"),
                type_name=item.type_name,
                field_name=item.field_name,
                data_source=self.data_sources[item.function],
                **_batching(item),
            )
            for item in spec.graphql.resolvers
        }

    @property
    def url(self) -> str:
        return self.graphql_api.graphql_url

    def _log_to_own_group(self, log_group_props: Props | None) -> None:
        # The L2's log_config adds a log-retention Lambda and a managed-policy role; an explicit group
        # under AppSync's own name, and a role that may write only there, do without both.
        name = f"/aws/appsync/apis/{self.graphql_api.api_id}"
        self.logs = log_group(self, "Logs", {**(log_group_props or {}), "log_group_name": name})
        self.logs_role = iam.Role(
            self,
            "LogsRole",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description="AppSync logs",
        )
        self.logs.grant_write(self.logs_role)
        api = self.graphql_api.node.default_child
        assert isinstance(api, appsync.CfnGraphQLApi)
        api.log_config = appsync.CfnGraphQLApi.LogConfigProperty(
            cloud_watch_logs_role_arn=self.logs_role.role_arn,
            field_log_level=FIELD_LOG_LEVEL,
            exclude_verbose_content=True,
        )
        acknowledge(
            api,
            "AwsSolutions-ASC3",
            "Verbose content would log request headers, Authorization among them; field errors are "
            "logged without it",
        )

    def _write_sdl(self, graphql: GraphQLSpec) -> str:
        # SchemaFile reads a file, whose content CDK then inlines into the template.
        outdir = Stage.of(self).outdir  # type: ignore[union-attr]
        path = Path(outdir) / "servey-schema" / f"{self.node.addr}.graphql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(graphql.sdl)
        return str(path)


def _batching(resolver: ResolverSpec) -> dict[str, Any]:
    """A batched field's resolver props: BatchInvoke of up to its batch size; none for one at a time."""
    if not resolver.batch_size:
        return {}
    return {
        "max_batch_size": resolver.batch_size,
        "request_mapping_template": appsync.MappingTemplate.from_string(BATCH_REQUEST),
        "response_mapping_template": appsync.MappingTemplate.from_string(BATCH_RESPONSE),
    }


def graphql_api_problems(
    spec: AppSpec,
    graphql_api_props: Props | None,
    web_acl_arn: str | None = None,
    log_group_props: Props | None = None,
) -> list[str]:
    problems = override_problems(
        "graphql_api_props", graphql_api_props, appsync.GraphqlApi, OWNED_GRAPHQL_API_PROPS
    )
    problems += web_acl_problems("web_acl_arn", web_acl_arn, "regional")
    return problems + log_group_props_problems(log_group_props)
