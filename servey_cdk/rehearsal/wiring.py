"""How the template routes events to its functions, read from the resources that do the routing.

REST methods' proxy integrations, HTTP API routes' integrations (its `$default` route's too),
AppSync data sources and the API's Lambda authorizer, EventBridge rules and Scheduler schedules
with their constant input, EventBridge rules' event patterns, SNS topics' Lambda subscriptions
with their filter policies, SQS event source mappings, websocket routes' integrations, and S3
notification configurations: each becomes a `Wire` from an event source to one function.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from servey_cdk.rehearsal.assembly import StackAssembly


@dataclass(frozen=True)
class Wire:
    """One route of events to a function (by logical id); `detail` depends on `kind`."""

    kind: str  # rest | http | appsync | authorizer | rule | schedule | event | topic | queue | stream
    # | websocket | s3
    function: str
    detail: dict[str, Any] = field(default_factory=dict)


def wires_of(stack: StackAssembly) -> list[Wire]:
    functions = set(stack.of_type("AWS::Lambda::Function"))
    readers = (_rest, _http, _appsync, _rules, _schedules, _topics, _mappings, _websocket, _object_events)
    return [wire for read in readers for wire in read(stack, functions)]


def referenced(value: Any, logical_ids: set[str]) -> list[str]:
    """The logical ids among `logical_ids` that a template value refers to, in order."""
    if isinstance(value, list):
        return [found for item in value for found in referenced(item, logical_ids)]
    if not isinstance(value, dict):
        return []
    if "Ref" in value and value["Ref"] in logical_ids:
        return [value["Ref"]]
    attribute = value.get("Fn::GetAtt")
    if isinstance(attribute, list) and attribute and attribute[0] in logical_ids:
        return [attribute[0]]
    return [found for item in value.values() for found in referenced(item, logical_ids)]


def _rest(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for method in stack.of_type("AWS::ApiGateway::Method").values():
        properties = method.get("Properties", {})
        integration = properties.get("Integration", {})
        targets = referenced(integration.get("Uri"), functions)
        if integration.get("Type") == "AWS_PROXY" and targets:
            path = _resource_path(stack, properties.get("ResourceId"))
            yield Wire("rest", targets[0], {"method": properties["HttpMethod"], "path": path})


def _resource_path(stack: StackAssembly, resource_id: Any) -> str:
    parts = []
    while isinstance(resource_id, dict) and resource_id.get("Ref") in stack.resources:
        properties = stack.properties(resource_id["Ref"])
        parts.append(properties["PathPart"])
        resource_id = properties.get("ParentId")
    return "/" + "/".join(reversed(parts))


def _appsync(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for api in stack.of_type("AWS::AppSync::GraphQLApi").values():
        config = api.get("Properties", {}).get("LambdaAuthorizerConfig", {})
        for target in referenced(config.get("AuthorizerUri"), functions):
            yield Wire("authorizer", target)
    sources = {}
    for source in stack.of_type("AWS::AppSync::DataSource").values():
        properties = source.get("Properties", {})
        targets = referenced(properties.get("LambdaConfig", {}).get("LambdaFunctionArn"), functions)
        if targets:
            sources[properties["Name"]] = targets[0]
    for resolver in stack.of_type("AWS::AppSync::Resolver").values():
        properties = resolver.get("Properties", {})
        if properties.get("DataSourceName") in sources:
            yield Wire(
                "appsync",
                sources[properties["DataSourceName"]],
                {
                    "type_name": properties["TypeName"],
                    "field_name": properties["FieldName"],
                    "max_batch_size": properties.get("MaxBatchSize"),
                },
            )


def _rules(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    """A rule's target given constant input (a schedule) is a `rule`; one sent the events its
    pattern matches, an `event`."""
    for rule in stack.of_type("AWS::Events::Rule").values():
        properties = rule.get("Properties", {})
        for target in properties.get("Targets", []):
            for function in referenced(target.get("Arn"), functions):
                if "EventPattern" in properties and "Input" not in target:
                    detail = {"pattern": properties["EventPattern"], "bus": properties.get("EventBusName")}
                    yield Wire("event", function, detail)
                else:
                    detail = {"input": json.loads(target["Input"]) if "Input" in target else None}
                    yield Wire("rule", function, detail)


def _schedules(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for schedule in stack.of_type("AWS::Scheduler::Schedule").values():
        target = schedule.get("Properties", {}).get("Target", {})
        for function in referenced(target.get("Arn"), functions):
            yield Wire(
                "schedule", function, {"input": json.loads(target["Input"]) if "Input" in target else None}
            )


def _topics(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for subscription in stack.of_type("AWS::SNS::Subscription").values():
        properties = subscription.get("Properties", {})
        if properties.get("Protocol") != "lambda":
            continue  # a fan-out's queue: the local AWS subscribes it
        for function in referenced(properties.get("Endpoint"), functions):
            yield Wire(
                "topic",
                function,
                {
                    "topic": properties.get("TopicArn"),  # a template value: a Ref, or an existing ARN
                    "filter_policy": properties.get("FilterPolicy"),
                },
            )


def _mappings(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    """The event source mappings: of a queue, or of a table's stream (with their default batch sizes)."""
    queues, tables = set(stack.of_type("AWS::SQS::Queue")), set(stack.of_type("AWS::DynamoDB::Table"))
    for mapping in stack.of_type("AWS::Lambda::EventSourceMapping").values():
        properties = mapping.get("Properties", {})
        queue = referenced(properties.get("EventSourceArn"), queues)
        table = referenced(properties.get("EventSourceArn"), tables)
        for function in referenced(properties.get("FunctionName"), functions):
            if queue:
                detail = {"queue": queue[0], "batch_size": properties.get("BatchSize", 10)}
                yield Wire("queue", function, detail)
            elif table:
                detail = {"table": table[0], "batch_size": properties.get("BatchSize", 100)}
                yield Wire("stream", function, detail)


def _http(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for function, route_key in _v2_routes(stack, functions, "HTTP"):
        yield Wire("http", function, {"route_key": route_key})


def _websocket(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for function, route_key in _v2_routes(stack, functions, "WEBSOCKET"):
        yield Wire("websocket", function, {"route_key": route_key})


def _v2_routes(stack: StackAssembly, functions: set[str], protocol: str) -> Iterator[tuple[str, str]]:
    """The function and route key of each route of the API Gateway v2 APIs of `protocol`."""
    apis = {
        key
        for key, api in stack.of_type("AWS::ApiGatewayV2::Api").items()
        if api.get("Properties", {}).get("ProtocolType") == protocol
    }
    integrations = set(stack.of_type("AWS::ApiGatewayV2::Integration"))
    for route in stack.of_type("AWS::ApiGatewayV2::Route").values():
        properties = route.get("Properties", {})
        if not referenced(properties.get("ApiId"), apis):
            continue
        for integration in referenced(properties.get("Target"), integrations):
            uri = stack.properties(integration).get("IntegrationUri")
            for function in referenced(uri, functions):
                yield function, properties["RouteKey"]


def _object_events(stack: StackAssembly, functions: set[str]) -> Iterator[Wire]:
    for notifications in stack.of_type("Custom::S3BucketNotifications").values():
        properties = notifications.get("Properties", {})
        bucket = properties.get("BucketName")
        configurations = properties.get("NotificationConfiguration", {}).get(
            "LambdaFunctionConfigurations", []
        )
        for configuration in configurations:
            rules = configuration.get("Filter", {}).get("Key", {}).get("FilterRules", [])
            filters = {rule["Name"].lower(): rule["Value"] for rule in rules}
            for function in referenced(configuration.get("LambdaFunctionArn"), functions):
                yield Wire(
                    "s3",
                    function,
                    {
                        "bucket": bucket,  # a template value: a Ref, or an existing bucket's name
                        "events": configuration.get("Events", []),
                        "prefix": filters.get("prefix", ""),
                        "suffix": filters.get("suffix", ""),
                    },
                )
