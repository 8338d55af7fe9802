"""ServeyWebSocketApi: $connect/$disconnect/$default, a connections table, posting only for publishers."""

from __future__ import annotations

from servey_cdk.appspec import AppSpec
from tests.constructs.template_queries import (
    Resources,
    actions_of,
    app_function,
    of_type,
    policy_statements,
    role_of,
)


def test_GIVEN_the_sample_stack_THEN_connect_disconnect_and_default_routes_reach_the_websocket_function(
    resources: Resources,
) -> None:
    routes = {v["Properties"]["RouteKey"] for v in of_type(resources, "AWS::ApiGatewayV2::Route").values()}
    function, _ = app_function(resources, "websocket")
    (integration,) = of_type(resources, "AWS::ApiGatewayV2::Integration").values()
    assert routes == {"$connect", "$disconnect", "$default"}
    assert function in str(integration["Properties"]["IntegrationUri"])


def test_GIVEN_the_sample_stack_THEN_the_connections_table_is_keyed_by_connection_and_subscription(
    resources: Resources,
) -> None:
    (table,) = [t for i, t in of_type(resources, "AWS::DynamoDB::Table").items() if "Connections" in i]
    keys = {key["AttributeName"]: key["KeyType"] for key in table["Properties"]["KeySchema"]}
    assert keys == {"connection_id": "HASH", "subscription": "RANGE"}


def test_GIVEN_the_sample_stack_THEN_the_connections_table_has_a_subscription_index_for_fan_out(
    resources: Resources,
) -> None:
    (table,) = [t for i, t in of_type(resources, "AWS::DynamoDB::Table").items() if "Connections" in i]
    (index,) = table["Properties"]["GlobalSecondaryIndexes"]
    assert index["KeySchema"][0] == {"AttributeName": "subscribed_to", "KeyType": "HASH"}


def test_GIVEN_the_sample_stack_THEN_gone_connections_expire_and_the_table_is_recoverable_and_encrypted(
    resources: Resources,
) -> None:
    (table,) = [t for i, t in of_type(resources, "AWS::DynamoDB::Table").items() if "Connections" in i]
    properties = table["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEEnabled"] is True


def test_GIVEN_the_sample_stack_THEN_only_publishers_and_the_websocket_function_may_post_to_connections(
    resources: Resources, spec: AppSpec
) -> None:
    names = [item.name for item in spec.functions] + ["websocket"]

    def posts(name: str) -> bool:
        statements = policy_statements(resources, role_of(resources, name))
        return "execute-api:ManageConnections" in actions_of(statements)

    posting = {name for name in names if posts(name)}
    assert posting == {"broadcast_message", "websocket"}


def test_GIVEN_the_sample_stack_THEN_publishers_learn_the_table_and_endpoint_from_their_environment(
    resources: Resources,
) -> None:
    variables = app_function(resources, "broadcast_message")[1]["Environment"]["Variables"]
    assert {"SERVEY_CONNECTIONS_TABLE", "SERVEY_WEBSOCKET_ENDPOINT"} <= set(variables)
