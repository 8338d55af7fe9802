"""`ServeyApp`, the whole app as one construct for any stack, and `ServeyStack`, a stack holding one."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_lib.auth import ServeyAuth, auth_problems, needs_token_key
from constructs_lib.event_rules import ServeyEventRules, event_rules_problems, uses_events
from constructs_lib.functions import ServeyFunctions, functions_problems
from constructs_lib.graphql import ServeyGraphqlApi, graphql_api_problems
from constructs_lib.http_api import ServeyHttpApi, http_api_problems
from constructs_lib.monitoring import AlarmThresholds, ServeyMonitoring, monitored_parts, monitoring_problems
from constructs_lib.object_events import ServeyObjectEvents
from constructs_lib.props import Props, PropsError, raise_if_any
from constructs_lib.queues import ServeyQueues, queues_problems
from constructs_lib.resources import ServeyResources, resources_problems
from constructs_lib.rest import ServeyRestApi, rest_api_problems
from constructs_lib.schedules import ServeySchedules, schedules_problems
from constructs_lib.site import ServeySite, site_problems
from constructs_lib.streams import ServeyStreams, streams_problems
from constructs_lib.topics import ServeyTopics, topics_problems
from constructs_lib.websocket import ServeyWebSocketApi, websocket_api_problems
from servey_cdk.appspec import HTTP_API, AppSpec
from servey_cdk.appspec_builder import BuildSettings, load_spec

__all__ = [
    "AlarmThresholds",
    "PropsError",
    "ServeyApp",
    "ServeyAuth",
    "ServeyEventRules",
    "ServeyFunctions",
    "ServeyGraphqlApi",
    "ServeyHttpApi",
    "ServeyMonitoring",
    "ServeyObjectEvents",
    "ServeyParts",
    "ServeyQueues",
    "ServeyResources",
    "ServeyRestApi",
    "ServeySchedules",
    "ServeySite",
    "ServeyStack",
    "ServeyStreams",
    "ServeyTopics",
    "ServeyWebSocketApi",
]


@dataclass(frozen=True)
class ServeyParts:
    """The constructs a `ServeyApp` is made of (each usable on its own), and so all they made;
    None where the app does not use it."""

    functions: ServeyFunctions
    rest: ServeyRestApi | None
    graphql: ServeyGraphqlApi | None
    websocket: ServeyWebSocketApi | None
    schedules: ServeySchedules | None
    queues: ServeyQueues | None
    site: ServeySite | None
    object_events: ServeyObjectEvents | None
    topics: ServeyTopics | None
    event_rules: ServeyEventRules | None
    auth: ServeyAuth | None
    http: ServeyHttpApi | None = None
    monitoring: ServeyMonitoring | None = None
    resources: ServeyResources | None = None
    streams: ServeyStreams | None = None


class ServeyApp(Construct):
    """Everything an app's spec asks for, as resources of the stack it is put in.

    What it made, as the CDK resources themselves (None, or empty, where the app does not use it):
    `functions` (every `lambda_.Function` by FunctionSpec name, the authorizer's and the websocket
    function's too), `rest_api` (`apigateway.RestApi`), `graphql_api` (`appsync.GraphqlApi`),
    `websocket_api` (`apigatewayv2.WebSocketApi`), `table` (the websocket connections' table),
    `key` (the KMS key of tokens), `queues` (`sqs.Queue` by QueueSpec name), `rules` and
    `schedules` (`events.Rule`, `scheduler.CfnSchedule`, by schedule name), `distribution`,
    `site_bucket`, the declared resources by logical name: `tables` (`dynamodb.ITable`), `buckets`
    (`s3.IBucket`, those S3Triggers name included), `secrets` (`secretsmanager.ISecret`) and
    `parameters` (`ssm.IStringParameter`), `topics` (`sns.ITopic` of SnsTriggers,
    by topic name), `event_buses` (`events.IEventBus` by name or ARN) and `event_rules` (`events.Rule`
    of EventTriggers, by rule name), `monitoring` (the `ServeyMonitoring`), `alarm_topic` (`sns.ITopic`)
    and `dashboard` (`cloudwatch.Dashboard`). `parts` holds the constructs
    they come from, with all else those made (`parts.functions.layer`, `parts.rest.methods`, …);
    `spec` is the AppSpec.

    The app is `spec`, else `app_module` imported from `app_root` (the project folder holding it),
    else from the nearest `cdk.json`'s folder, its parent or the working directory: a CDK app in a
    folder of its own (`infra/app.py`) passes `app_root=Path(__file__).resolve().parents[1]`.

    Overrides, each checked against the CDK class it goes to before anything is made:
    `function_props`, `log_group_props` (every log group), `rest_api_props`, `stage_props` (the REST
    stage's `StageOptions`), `http_api_props` and `http_stage_props` (the HTTP API's),
    `websocket_stage_props` (the `WebSocketStage`: another class, with other props),
    `graphql_api_props`, `queue_props`, `dead_letter_queue_props` (every DLQ), `rule_props`,
    `schedule_props`, `table_props` (the connections table), `declared_table_props` (every declared
    table), `key_props`, `bucket_props`, `secret_props`, `distribution_props`, `topic_props`,
    `event_bus_props`, `event_rule_props`.
    Resources of the caller's, used instead of new ones: `existing_key`, `existing_table` (of
    connections), the declared resources' constructs by logical name (`tables`, `buckets`, `secrets`,
    `parameters`; each function is still granted exactly what its actions use),
    `existing_bucket_names`, `existing_topics` (by topic name), `existing_buses` (by bus name).

    `api` ("rest" or "http") chooses the API Gateway flavour of the routes when the spec is built
    here, over `SERVEY_API`: the spec records it, so the code asset and `servey-local --assembly`
    agree. An HTTP API (`http_api`, `ServeyHttpApi`) takes no `web_acl_arn` (HTTP APIs cannot have
    WAF) nor `api_only_through_cdn` (nor API keys).

    For production: `web_acl_arn` (a REGIONAL WAF web ACL for the REST stage and the AppSync API),
    `cloudfront_web_acl_arn` (a CLOUDFRONT-scope one, made in us-east-1, for the distribution),
    `api_only_through_cdn` (the REST API refuses requests that did not come through the site's
    distribution), `reserved_concurrency` (by function name), `route_throttling` (by "METHOD /path").

    Watching it (`ServeyMonitoring`, on unless `monitoring=False`): `alarm_email` (an address, or
    several, subscribed to the alarm topic), `alarm_topic` (an existing topic to notify instead),
    `alarm_topic_props`, `alarm_thresholds` (an `AlarmThresholds`; a `None` field switches its alarm
    off), `dashboard=False` (alarms only).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        app_module: str | None = None,
        app_root: Path | None = None,
        spec: AppSpec | None = None,
        api: str | None = None,
        function_props: Props | None = None,
        log_group_props: Props | None = None,
        layer_requirements: Sequence[str] = (),
        layer_cache_dir: Path | None = None,
        rest_api_props: Props | None = None,
        stage_props: Props | None = None,
        http_api_props: Props | None = None,
        http_stage_props: Props | None = None,
        websocket_stage_props: Props | None = None,
        graphql_api_props: Props | None = None,
        queue_props: Props | None = None,
        dead_letter_queue_props: Props | None = None,
        rule_props: Props | None = None,
        schedule_props: Props | None = None,
        table_props: Props | None = None,
        key_props: Props | None = None,
        bucket_props: Props | None = None,
        distribution_props: Props | None = None,
        existing_key: kms.IKey | None = None,
        existing_table: dynamodb.ITable | None = None,
        declared_table_props: Props | None = None,
        secret_props: Props | None = None,
        tables: Mapping[str, dynamodb.ITable] | None = None,
        buckets: Mapping[str, s3.IBucket] | None = None,
        secrets: Mapping[str, secretsmanager.ISecret] | None = None,
        parameters: Mapping[str, ssm.IStringParameter] | None = None,
        existing_bucket_names: Mapping[str, str] | None = None,
        topic_props: Props | None = None,
        existing_topics: Mapping[str, sns.ITopic] | None = None,
        event_bus_props: Props | None = None,
        event_rule_props: Props | None = None,
        existing_buses: Mapping[str, events.IEventBus] | None = None,
        web_acl_arn: str | None = None,
        cloudfront_web_acl_arn: str | None = None,
        api_only_through_cdn: bool = False,
        reserved_concurrency: Mapping[str, int] | None = None,
        route_throttling: Mapping[str, apigateway.ThrottleSettings] | None = None,
        monitoring: bool = True,
        alarm_email: str | Sequence[str] | None = None,
        alarm_topic: sns.ITopic | None = None,
        alarm_topic_props: Props | None = None,
        alarm_thresholds: AlarmThresholds | None = None,
        dashboard: bool = True,
    ) -> None:
        super().__init__(scope, id)
        settings = BuildSettings.from_environment()
        if api is not None and spec is None:
            settings = dataclasses.replace(settings, api=api)
        self.spec = spec = spec or load_spec(app_module, settings, app_root)
        problems = (
            [] if api in (None, spec.api) else [f"api={api!r}, but the spec given is of the {spec.api} API"]
        )
        problems += functions_problems(
            spec, function_props, reserved_concurrency,
            log_group_props=log_group_props, dead_letter_queue_props=dead_letter_queue_props,
        )  # fmt: skip
        problems += api_problems(
            spec, rest_api_props, stage_props, http_api_props, http_stage_props, log_group_props,
            route_throttling, web_acl_arn, api_only_through_cdn,
        )  # fmt: skip
        problems += graphql_api_problems(spec, graphql_api_props, web_acl_arn, log_group_props)
        problems += queues_problems(spec, queue_props, dead_letter_queue_props)
        problems += schedules_problems(spec, rule_props, schedule_props, dead_letter_queue_props)
        problems += websocket_api_problems(
            spec, table_props, websocket_stage_props, log_group_props, existing_table,
            stage_prop_name="websocket_stage_props",
        )  # fmt: skip
        problems += auth_problems(key_props, existing_key)
        problems += site_problems(
            spec, distribution_props, bool(spec.routes and spec.static), cloudfront_web_acl_arn,
            web_acl_prop="cloudfront_web_acl_arn", bucket_props=bucket_props,
        )  # fmt: skip
        if cloudfront_web_acl_arn and not spec.static:
            problems.append("cloudfront_web_acl_arn is given, but the app has no static/ site to distribute")
        if api_only_through_cdn and not (spec.routes and spec.static):
            problems.append("api_only_through_cdn needs REST routes and a static/ site to front them")
        given = {"tables": tables, "buckets": buckets, "secrets": secrets, "parameters": parameters}
        problems += resources_problems(
            spec, given, existing_bucket_names, declared_table_props, bucket_props, secret_props
        )
        problems += streams_problems(spec, tables, dead_letter_queue_props)
        problems += topics_problems(spec, topic_props, existing_topics, dead_letter_queue_props)
        problems += event_rules_problems(
            spec, event_bus_props, event_rule_props, existing_buses, dead_letter_queue_props
        )
        problems += monitoring_problems(
            alarm_topic, alarm_topic_props, alarm_email, alarm_thresholds, enabled=monitoring
        )
        raise_if_any("ServeyApp", problems)

        functions = ServeyFunctions(
            self,
            "Functions",
            spec=spec,
            function_props=function_props,
            log_group_props=log_group_props,
            layer_requirements=layer_requirements,
            layer_cache_dir=layer_cache_dir,
            dead_letter_queue_props=dead_letter_queue_props,
            reserved_concurrency=reserved_concurrency,
        )
        common: dict[str, Any] = {"spec": spec, "functions": functions}
        rest = (
            ServeyRestApi(
                self,
                "Rest",
                **common,
                rest_api_props=rest_api_props,
                stage_props=stage_props,
                log_group_props=log_group_props,
                route_throttling=route_throttling,
                web_acl_arn=web_acl_arn,
                require_origin_key=api_only_through_cdn,
            )
            if spec.routes and spec.api != HTTP_API
            else None
        )
        http = (
            ServeyHttpApi(
                self,
                "Http",
                **common,
                http_api_props=http_api_props,
                stage_props=http_stage_props,
                log_group_props=log_group_props,
                route_throttling=route_throttling,
            )
            if spec.routes and spec.api == HTTP_API
            else None
        )
        graphql = (
            ServeyGraphqlApi(
                self,
                "Graphql",
                **common,
                graphql_api_props=graphql_api_props,
                web_acl_arn=web_acl_arn,
                log_group_props=log_group_props,
            )
            if spec.graphql
            else None
        )
        schedules = (
            ServeySchedules(
                self,
                "Schedules",
                **common,
                dead_letter_queue_props=dead_letter_queue_props,
                rule_props=rule_props,
                schedule_props=schedule_props,
            )
            if spec.schedules
            else None
        )
        queues = (
            ServeyQueues(
                self,
                "Queues",
                **common,
                queue_props=queue_props,
                dead_letter_queue_props=dead_letter_queue_props,
            )
            if spec.queues
            else None
        )
        websocket = (
            ServeyWebSocketApi(
                self,
                "WebSocket",
                **common,
                table_props=table_props,
                stage_props=websocket_stage_props,
                log_group_props=log_group_props,
                existing_table=existing_table,
            )
            if spec.websocket_enabled
            else None
        )
        site = (
            ServeySite(
                self,
                "Site",
                spec=spec,
                rest_api=rest.rest_api if rest else None,
                http_api=http.http_api if http else None,
                bucket_props=bucket_props,
                distribution_props=distribution_props,
                web_acl_arn=cloudfront_web_acl_arn,
                api_origin_key=rest.origin_key if rest else None,
            )
            if spec.static
            else None
        )
        declared = (
            ServeyResources(
                self,
                "Resources",
                **common,
                tables=tables,
                buckets=buckets,
                secrets=secrets,
                parameters=parameters,
                existing_bucket_names=existing_bucket_names,
                declared_table_props=declared_table_props,
                bucket_props=bucket_props,
                secret_props=secret_props,
                access_logs_bucket=site.access_logs_bucket if site else None,
            )
            if spec.tables or spec.buckets or spec.secrets or spec.parameters
            else None
        )
        object_events = (
            ServeyObjectEvents(self, "ObjectEvents", **common, buckets=declared.buckets)
            if spec.s3_triggers and declared
            else None
        )
        streams = (
            ServeyStreams(
                self,
                "Streams",
                **common,
                tables=declared.tables,
                dead_letter_queue_props=dead_letter_queue_props,
            )
            if spec.stream_triggers and declared
            else None
        )
        topics = (
            ServeyTopics(
                self,
                "Topics",
                **common,
                topic_props=topic_props,
                existing_topics=existing_topics,
                dead_letter_queue_props=dead_letter_queue_props,
            )
            if spec.sns_triggers
            else None
        )
        event_rules = (
            ServeyEventRules(
                self,
                "EventRules",
                **common,
                event_bus_props=event_bus_props,
                event_rule_props=event_rule_props,
                existing_buses=existing_buses,
                dead_letter_queue_props=dead_letter_queue_props,
            )
            if uses_events(spec)
            else None
        )
        # Last, so that every function made above learns the key id.
        auth = (
            ServeyAuth(self, "Auth", **common, key_props=key_props, existing_key=existing_key)
            if needs_token_key(spec)
            else None
        )
        watched = (
            ServeyMonitoring(
                self,
                "Monitoring",
                monitored=monitored_parts(
                    functions,
                    rest_api=rest.rest_api if rest else None,
                    http_api=http.http_api if http else None,
                    graphql_api=graphql.graphql_api if graphql else None,
                    websocket_stage=websocket.stage if websocket else None,
                    queues=queues, schedules=schedules, topics=topics, event_rules=event_rules,
                ),
                alarm_email=alarm_email,
                alarm_topic=alarm_topic,
                alarm_topic_props=alarm_topic_props,
                alarm_thresholds=alarm_thresholds,
                dashboard=dashboard,
            )
            if monitoring
            else None
        )  # fmt: skip
        raise_if_any("ServeyApp", publishing_problems(spec, queues, websocket))
        self.parts = ServeyParts(
            functions, rest, graphql, websocket, schedules, queues, site, object_events, topics,
            event_rules, auth, http, watched, declared, streams,
        )  # fmt: skip
        self.functions = functions.all_functions
        self.rest_api = rest.rest_api if rest else None
        self.http_api = http.http_api if http else None
        self.graphql_api = graphql.graphql_api if graphql else None
        self.websocket_api = websocket.web_socket_api if websocket else None
        self.table = websocket.table if websocket else None
        self.key = auth.key if auth else None
        self.queues = dict(queues.queues) if queues else {}
        self.rules = dict(schedules.rules) if schedules else {}
        self.schedules = dict(schedules.schedules) if schedules else {}
        self.distribution = site.distribution if site else None
        self.site_bucket = site.bucket if site else None
        self.tables = dict(declared.tables) if declared else {}
        self.buckets = dict(declared.buckets) if declared else {}
        self.secrets = dict(declared.secrets) if declared else {}
        self.parameters = dict(declared.parameters) if declared else {}
        self.topics = dict(topics.topics) if topics else {}
        self.event_buses = dict(event_rules.buses) if event_rules else {}
        self.event_rules = dict(event_rules.rules) if event_rules else {}
        self.monitoring = watched
        self.alarm_topic = watched.alarm_topic if watched else None
        self.dashboard = watched.dashboard if watched else None
        self._outputs()

    def _outputs(self) -> None:
        parts = self.parts
        urls = {
            "RestUrl": parts.rest and parts.rest.url,
            "HttpApiUrl": parts.http and parts.http.url,
            "GraphqlUrl": parts.graphql and parts.graphql.url,
            "WebSocketUrl": parts.websocket and parts.websocket.url,
            "SiteUrl": parts.site and parts.site.url,
        }
        for id, url in urls.items():
            if url:
                CfnOutput(self, id, value=url)


def api_problems(
    spec: AppSpec,
    rest_api_props: Props | None,
    stage_props: Props | None,
    http_api_props: Props | None,
    http_stage_props: Props | None,
    log_group_props: Props | None,
    route_throttling: Mapping[str, apigateway.ThrottleSettings] | None,
    web_acl_arn: str | None,
    api_only_through_cdn: bool,
) -> list[str]:
    """The props of the spec's API flavour checked, and those of the other refused by name."""
    if spec.api != HTTP_API:
        others = {"http_api_props": http_api_props, "http_stage_props": http_stage_props}
        problems = [
            f"{name} shape an HTTP API, but the app's API is the {spec.api} API (set api='http')"
            for name, props in others.items()
            if props
        ]
        return problems + rest_api_problems(
            spec, rest_api_props, route_throttling, web_acl_arn,
            stage_props=stage_props, log_group_props=log_group_props,
        )  # fmt: skip
    rest_props = {
        "rest_api_props": (rest_api_props, "http_api_props"),
        "stage_props": (stage_props, "http_stage_props"),
    }
    problems = [
        f"{name} shape a REST API, but the app's API is the http API: give {instead}"
        for name, (props, instead) in rest_props.items()
        if props
    ]
    if web_acl_arn:
        problems.append(
            "web_acl_arn: WAF cannot be associated with an HTTP API (api='http'); use the REST API, or put "
            "a WAF on the CloudFront distribution (cloudfront_web_acl_arn)"
        )
    if api_only_through_cdn:
        problems.append("api_only_through_cdn needs API keys, which an HTTP API (api='http') has not")
    if spec.routes:
        problems += http_api_problems(
            spec, http_api_props, route_throttling, http_stage_props, log_group_props, "http_stage_props"
        )
    return problems


class ServeyStack(Stack):
    """A stack holding one `ServeyApp` (as `.app`); stack props (env, tags, …) go to the Stack."""

    def __init__(
        self,
        scope: Construct | None,
        id: str,
        *,
        app_module: str | None = None,
        app_root: Path | None = None,
        spec: AppSpec | None = None,
        app_props: Mapping[str, Any] | None = None,
        **stack_props: Any,
    ) -> None:
        super().__init__(scope, id, **stack_props)
        self.app = ServeyApp(
            self, "App", app_module=app_module, app_root=app_root, spec=spec, **(app_props or {})
        )


def publishing_problems(
    spec: AppSpec, queues: ServeyQueues | None, websocket_api: ServeyWebSocketApi | None
) -> list[str]:
    """Each declared publisher's function must have reached every queue (or fan-out topic) and
    subscriber it publishes to."""
    subscriptions = {item.name: item for item in spec.subscriptions}
    senders = queues.senders if queues else {}
    problems = []
    for action in spec.actions:
        for name in action.publishes:
            where = f"action {action.name!r} publishes to {name!r}, but its function {action.function!r}"
            item = subscriptions[name]
            if item.fan_out and item.queues:
                if action.function not in (queues.topic_publishers.get(name, ()) if queues else ()):
                    problems.append(f"{where} has no ARN of, or grant to publish to, its topic")
            else:
                problems += [
                    f"{where} has no URL of, or grant to send to, queue {queue!r}"
                    for queue in item.queues
                    if action.function not in senders.get(queue, ())
                ]
            if item.is_subscribable and (
                websocket_api is None or action.function not in websocket_api.posters
            ):
                problems.append(f"{where} may not post to the websocket connections")
    return problems
