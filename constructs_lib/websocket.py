"""`ServeyWebSocketApi`: an API Gateway websocket API whose connections are kept in DynamoDB."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import (
    acknowledge,
    acknowledge_checkov,
    flattened,
    log_group,
    log_group_props_problems,
    logical_id,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, existing_problems, merged, override_problems, raise_if_any
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.dynamodb_connections import SUBSCRIPTION_INDEX, SUBSCRIPTION_INDEX_KEY
from servey_cdk.wire import CONNECTIONS_TABLE, WEBSOCKET_ENDPOINT

OWNED_TABLE_PROPS = ("partition_key", "sort_key", "time_to_live_attribute")
OWNED_STAGE_PROPS = ("web_socket_api",)
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","eventType":"$context.eventType",'
    '"routeKey":"$context.routeKey","status":"$context.status","connectionId":"$context.connectionId",'
    '"requestTime":"$context.requestTime"}'
)


class ServeyWebSocketApi(Construct):
    """Attributes: `web_socket_api`, `stage`, `table`, `access_logs`, `function` (the websocket function).

    The publishing functions and the websocket function get `SERVEY_CONNECTIONS_TABLE`,
    `SERVEY_WEBSOCKET_ENDPOINT` and the right to post to connections. `stage_props` shape the
    `WebSocketStage` (`stage_name` "live"). `existing_table` keeps the connections in a table of
    the caller's instead of a new one: keyed by `connection_id` / `subscription`, with the
    `by_subscription` index on `subscribed_to` and TTL on `expires_at`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        table_props: Props | None = None,
        stage_props: Props | None = None,
        log_group_props: Props | None = None,
        existing_table: dynamodb.ITable | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = websocket_api_problems(spec, table_props, stage_props, log_group_props, existing_table)
        if not spec.websocket_enabled:
            problems.append(f"the app {spec.app_module!r} has no subscribable subscription")
        raise_if_any("ServeyWebSocketApi", problems)
        assert functions.websocket is not None
        self.function = functions.websocket
        self.table = existing_table or self._connections_table(table_props)
        self._grant_index = existing_table is not None  # a given table may not declare its index
        integration = integrations.WebSocketLambdaIntegration("Handler", self.function)
        route = apigatewayv2.WebSocketRouteOptions(integration=integration)
        self.web_socket_api = apigatewayv2.WebSocketApi(
            self,
            "Api",
            api_name=f"{spec.app_module}-websocket",
            connect_route_options=route,
            disconnect_route_options=route,
            # Two-way: the client receives the answer to each frame, "subscribed" or an error frame.
            default_route_options=apigatewayv2.WebSocketRouteOptions(
                integration=integration, return_response=True
            ),
        )
        self.access_logs = log_group(self, "AccessLogs", log_group_props)
        self.stage = apigatewayv2.WebSocketStage(
            self,
            "Stage",
            **merged(defaults.websocket_stage_props(), stage_props),
            web_socket_api=self.web_socket_api,
        )
        if "access_log_settings" not in (stage_props or {}):
            stage_resource = self.stage.node.default_child
            assert isinstance(stage_resource, apigatewayv2.CfnStage)
            stage_resource.access_log_settings = apigatewayv2.CfnStage.AccessLogSettingsProperty(
                destination_arn=self.access_logs.log_group_arn, format=ACCESS_LOG_FORMAT
            )
        publishers = {name for item in spec.subscriptions if item.is_subscribable for name in item.publishers}
        self.posters = frozenset(publishers)  # the publishing functions allowed to post to connections
        for function in (self.function, *(functions.functions[name] for name in sorted(publishers))):
            self._allow_posting(function)
        for route_key in ("$connect", "$disconnect", "$default"):
            route_construct = self.web_socket_api.node.try_find_child(f"{route_key}-Route")
            if route_construct is not None:
                acknowledge(
                    route_construct,
                    "AwsSolutions-APIG4",
                    "The websocket function verifies the $connect token of subscriptions that need one",
                )

    @property
    def url(self) -> str:
        return self.stage.url

    def _connections_table(self, table_props: Props | None) -> dynamodb.Table:
        table = dynamodb.Table(self, "Connections", **merged(defaults.connections_table_props(), table_props))
        if table.encryption_key is None:
            acknowledge_checkov(
                table,
                "CKV_AWS_119",
                "Encrypted under DynamoDB's AWS-managed key; it holds connection ids and subscription names, "
                "and a customer-managed key (table_props encryption) is the owner's choice",
            )
        table.add_global_secondary_index(
            index_name=SUBSCRIPTION_INDEX,
            partition_key=dynamodb.Attribute(name=SUBSCRIPTION_INDEX_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="connection_id", type=dynamodb.AttributeType.STRING),
        )
        return table

    def _allow_posting(self, function: lambda_.Function) -> None:
        self.table.grant_read_write_data(function)
        if self._grant_index:
            iam.Grant.add_to_principal(
                grantee=function,
                actions=["dynamodb:Query"],
                resource_arns=[f"{self.table.table_arn}/index/{SUBSCRIPTION_INDEX}"],
            )
        self.web_socket_api.grant_manage_connections(function)
        function.add_environment(CONNECTIONS_TABLE, self.table.table_name)
        function.add_environment(WEBSOCKET_ENDPOINT, self.stage.callback_url)
        assert function.role is not None
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::{flattened(self, self.table.table_arn)}/index/*]",
            "Fan-out queries the connections table's subscription index",
        )
        acknowledge(
            function.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
            f"<{logical_id(self.web_socket_api)}>/*/*/@connections/*]",
            "Posting to connections names connection ids that exist only at run time",
        )


def websocket_api_problems(
    spec: AppSpec,
    table_props: Props | None,
    stage_props: Props | None = None,
    log_group_props: Props | None = None,
    existing_table: dynamodb.ITable | None = None,
    stage_prop_name: str = "stage_props",
) -> list[str]:
    problems = override_problems("table_props", table_props, dynamodb.Table, OWNED_TABLE_PROPS)
    problems += existing_problems("table_props", table_props, "existing_table", existing_table)
    problems += override_problems(
        stage_prop_name, stage_props, apigatewayv2.WebSocketStage, OWNED_STAGE_PROPS
    )
    problems += log_group_props_problems(log_group_props)
    return problems + connections_table_problems(existing_table)


def connections_table_problems(table: dynamodb.ITable | None) -> list[str]:
    """A given table made in this app must have the keys and the index the runtime uses (one
    imported by name cannot be read: it is taken as it is)."""
    if not isinstance(table, dynamodb.Table):
        return []
    wanted = defaults.connections_table_props()
    keys = (wanted["partition_key"].name, wanted["sort_key"].name)
    schema = table.schema()
    found = tuple(key.name if key else None for key in (schema.partition_key, schema.sort_key))
    problems = [] if found == keys else [f"existing_table is keyed by {found}, not by {keys}"]
    try:
        index_key = table.schema(SUBSCRIPTION_INDEX).partition_key
    except RuntimeError:  # jsii's error for an index the table has not
        index_key = None
    if index_key is None or index_key.name != SUBSCRIPTION_INDEX_KEY:
        index = f"{SUBSCRIPTION_INDEX!r} on {SUBSCRIPTION_INDEX_KEY!r}"
        problems.append(f"existing_table needs a global secondary index {index}")
    return problems
