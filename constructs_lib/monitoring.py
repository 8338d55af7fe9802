"""`ServeyMonitoring`: CloudWatch alarms and a dashboard over an app's functions, APIs and dead letters.

Built with cdk-monitoring-constructs (its `MonitoringFacade`), not hand-written metrics. Alarms,
each on one 5-minute datapoint and each switched off by a `None` threshold in `AlarmThresholds`:

- a dead-letter queue holding any message (`ApproximateNumberOfMessagesVisible` > 0);
- a function's `Errors` and `Throttles` (> 0), one pair per function, so per action;
- the REST API's `5XXError` (> 0) and p99 `Latency` (> 5 s), or the HTTP API's `5xx` and `Latency`;
- the GraphQL API's `5XXError` (> 0);
- the websocket stage's `IntegrationError` (> 0).

Every alarm notifies one SNS topic: the caller's `alarm_topic`, or one made encrypted and SSL-only.
CloudWatch cannot publish to a topic under the AWS-managed `alias/aws/sns` key, so the made topic
has a customer-managed key (rotated) whose policy lets CloudWatch use it. `alarm_email` subscribes
an address to the topic. The dashboard has a section per function (named by its actions), per API
and per dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import Duration, Names
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.builders import acknowledge
from constructs_lib.props import (
    Props,
    existing_problems,
    merged,
    override_problems,
    owned_keys_problems,
    raise_if_any,
)

if TYPE_CHECKING:
    import cdk_monitoring_constructs as monitoring

    from constructs_lib.event_rules import ServeyEventRules
    from constructs_lib.functions import ServeyFunctions
    from constructs_lib.queues import ServeyQueues
    from constructs_lib.schedules import ServeySchedules
    from constructs_lib.topics import ServeyTopics

ALARM_LEVEL = "Critical"  # cdk-monitoring-constructs' disambiguator: one level, one topic
OWNED_TOPIC_PROPS = ("master_key", "enforce_ssl")
OWNED_TOPIC_WHY = "is the alarm topic's own: a key CloudWatch may use, and SSL only (or give alarm_topic)"
NAME_MAX = 200  # of the alarm and dashboard name prefix; CloudWatch allows 255


@dataclass(frozen=True)
class AlarmThresholds:
    """The value above which each alarm fires, over one 5-minute period; `None` switches that alarm off."""

    dead_letters: int | None = 0
    function_errors: int | None = 0
    function_throttles: int | None = 0
    api_5xx: int | None = 0  # of the REST API or the HTTP API
    api_latency_p99: Duration | None = field(default_factory=lambda: Duration.seconds(5))
    graphql_5xx: int | None = 0
    websocket_integration_errors: int | None = 0


@dataclass(frozen=True)
class Monitored:
    """What `ServeyMonitoring` watches: functions (by name, with the actions each serves), the APIs,
    and every dead-letter queue (by a readable name)."""

    functions: Mapping[str, lambda_.IFunction]
    function_actions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    dead_letter_queues: Mapping[str, sqs.IQueue] = field(default_factory=dict)
    rest_api: apigateway.RestApi | None = None
    http_api: apigatewayv2.HttpApi | None = None
    graphql_api: appsync.IGraphqlApi | None = None
    websocket_stage: apigatewayv2.WebSocketStage | None = None


class ServeyMonitoring(Construct):
    """Attributes: `alarm_topic` (the given or made `sns.ITopic`), `alarm_key` (the made topic's
    `kms.Key`, else None), `alarms` (each `cloudwatch.AlarmBase` by alarm name), `dashboard`
    (`cloudwatch.Dashboard`, None with `dashboard=False`) and `facade` (the `MonitoringFacade`, to add
    monitoring of one's own)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        monitored: Monitored,
        alarm_email: str | Sequence[str] | None = None,
        alarm_topic: sns.ITopic | None = None,
        alarm_topic_props: Props | None = None,
        alarm_thresholds: AlarmThresholds | None = None,
        dashboard: bool = True,
    ) -> None:
        super().__init__(scope, id)
        # Imported here: loading its jsii assembly takes about a second, which monitoring=False saves.
        import cdk_monitoring_constructs as monitoring

        raise_if_any("ServeyMonitoring", monitoring_problems(alarm_topic, alarm_topic_props))
        thresholds = alarm_thresholds or AlarmThresholds()
        self.alarm_key: kms.Key | None = None
        self.alarm_topic = alarm_topic or self._topic(alarm_topic_props)
        for email in [alarm_email] if isinstance(alarm_email, str) else alarm_email or ():
            subscription = self.alarm_topic.add_subscription(subscriptions.EmailSubscription(email))
            acknowledge(
                subscription,
                "Serverless-SNSRedrivePolicy",
                "An email subscription of the alarm topic: an alarm SNS cannot mail stays in CloudWatch",
            )
        prefix = Names.unique_resource_name(self, max_length=NAME_MAX, separator="-")
        factory = monitoring.DefaultDashboardFactory(
            self,
            "Dashboards",
            dashboard_name_prefix=prefix,
            create_dashboard=dashboard,
            create_summary_dashboard=False,
            create_alarm_dashboard=False,
        )
        self.facade = monitoring.MonitoringFacade(
            self,
            "Facade",
            alarm_factory_defaults=monitoring.AlarmFactoryDefaults(
                alarm_name_prefix=prefix,
                actions_enabled=True,
                action=monitoring.SnsAlarmActionStrategy(on_alarm_topic=self.alarm_topic),
                evaluation_periods=1,  # one bad 5-minute period is enough to be told
                datapoints_to_alarm=1,
            ),
            dashboard_factory=factory,
        )
        self._functions(monitored, thresholds)
        self._apis(monitored, thresholds)
        for name, queue in monitored.dead_letter_queues.items():
            self.facade.monitor_sqs_queue(
                queue=queue,
                alarm_friendly_name=name,
                human_readable_name=f"Dead letters: {name}",
                add_queue_max_size_alarm=(
                    {}
                    if thresholds.dead_letters is None
                    else {
                        ALARM_LEVEL: monitoring.MaxMessageCountThreshold(
                            max_message_count=thresholds.dead_letters
                        )
                    }
                ),
            )
        self.alarms: dict[str, cloudwatch.AlarmBase] = {
            created.alarm_name: created.alarm for created in self.facade.created_alarms()
        }
        self.dashboard: cloudwatch.Dashboard | None = factory.dashboard if dashboard else None

    def _topic(self, alarm_topic_props: Props | None) -> sns.Topic:
        self.alarm_key = kms.Key(
            self, "AlarmKey", description="Encrypts the alarm topic", enable_key_rotation=True
        )
        cloudwatch_principal = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        self.alarm_key.grant(cloudwatch_principal, "kms:Decrypt", "kms:GenerateDataKey*")
        props = merged({"display_name": "servey alarms"}, alarm_topic_props)
        return sns.Topic(self, "AlarmTopic", **props, enforce_ssl=True, master_key=self.alarm_key)

    def _functions(self, monitored: Monitored, thresholds: AlarmThresholds) -> None:
        for name, function in monitored.functions.items():
            actions = ", ".join(monitored.function_actions.get(name, ()))
            self.facade.monitor_lambda_function(
                lambda_function=function,
                alarm_friendly_name=name,
                human_readable_name=f"Function {name}" + (f" (actions {actions})" if actions else ""),
                add_fault_count_alarm=_errors(thresholds.function_errors),
                add_throttles_count_alarm=_errors(thresholds.function_throttles),
            )

    def _apis(self, monitored: Monitored, thresholds: AlarmThresholds) -> None:
        import cdk_monitoring_constructs as monitoring

        latency = thresholds.api_latency_p99
        p99 = {} if latency is None else {ALARM_LEVEL: monitoring.LatencyThreshold(max_latency=latency)}
        if monitored.rest_api is not None:
            self.facade.monitor_api_gateway(
                api=monitored.rest_api,
                api_stage=monitored.rest_api.deployment_stage.stage_name,
                alarm_friendly_name="rest",
                human_readable_name="REST API",
                add5_xx_fault_count_alarm=_errors(thresholds.api_5xx),
                add_latency_p99_alarm=p99,
            )
        if monitored.http_api is not None:
            self.facade.monitor_api_gateway_v2_http_api(
                api=monitored.http_api,
                alarm_friendly_name="http",
                human_readable_name="HTTP API",
                add5xx_count_alarm=_errors(thresholds.api_5xx),
                add_latency_p99_alarm=p99,
            )
        if monitored.graphql_api is not None:
            self.facade.monitor_app_sync_api(
                api=monitored.graphql_api,
                alarm_friendly_name="graphql",
                human_readable_name="GraphQL API",
                add5_xx_fault_count_alarm=_errors(thresholds.graphql_5xx),
            )
        if monitored.websocket_stage is not None:
            self._websocket(monitored.websocket_stage, thresholds.websocket_integration_errors)

    def _websocket(self, stage: apigatewayv2.WebSocketStage, threshold: int | None) -> None:
        """The library has no websocket monitoring: the stage's own metrics, in a custom group."""
        import cdk_monitoring_constructs as monitoring

        def metric(name: str) -> cloudwatch.Metric:
            return stage.metric(name, statistic="Sum", period=Duration.minutes(5), label=name)

        integration_errors = metric("IntegrationError")
        errors: cloudwatch.Metric | monitoring.CustomMetricWithAlarm = integration_errors
        if threshold is not None:
            errors = monitoring.CustomMetricWithAlarm(
                metric=integration_errors,
                alarm_friendly_name="IntegrationError",
                add_alarm={
                    ALARM_LEVEL: monitoring.CustomThreshold(
                        threshold=threshold,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                    )
                },
            )
        self.facade.monitor_custom(
            alarm_friendly_name="websocket",
            human_readable_name="Websocket API",
            metric_groups=[
                monitoring.CustomMetricGroup(
                    title="Errors",
                    metrics=[errors, metric("ExecutionError"), metric("ClientError")],
                ),
                monitoring.CustomMetricGroup(
                    title="Traffic", metrics=[metric("ConnectCount"), metric("MessageCount")]
                ),
            ],
        )


def _errors(threshold: int | None) -> dict[str, monitoring.ErrorCountThreshold]:
    """The library's `{disambiguator: threshold}` of one error-count alarm; empty when it is off."""
    import cdk_monitoring_constructs as monitoring

    return (
        {} if threshold is None else {ALARM_LEVEL: monitoring.ErrorCountThreshold(max_error_count=threshold)}
    )


def monitored_parts(
    functions: ServeyFunctions,
    *,
    rest_api: apigateway.RestApi | None,
    http_api: apigatewayv2.HttpApi | None,
    graphql_api: appsync.IGraphqlApi | None,
    websocket_stage: apigatewayv2.WebSocketStage | None,
    queues: ServeyQueues | None,
    schedules: ServeySchedules | None,
    topics: ServeyTopics | None,
    event_rules: ServeyEventRules | None,
) -> Monitored:
    """What a `ServeyApp` made that is watched: each of its functions and every dead-letter queue."""
    dead_letters: dict[str, sqs.IQueue] = {"async-invocations": functions.dead_letter_queue}
    for name, queue in (queues.dead_letter_queues if queues else {}).items():
        dead_letters[f"queue-{name}"] = queue
    for (function, topic), queue in (topics.dead_letter_queues if topics else {}).items():
        dead_letters[f"topic-{topic}-{function}"] = queue
    if schedules is not None:
        dead_letters["schedules"] = schedules.dead_letter_queue
    if event_rules is not None and event_rules.dead_letter_queue is not None:
        dead_letters["event-rules"] = event_rules.dead_letter_queue
    return Monitored(
        functions=functions.all_functions,
        function_actions={function.name: function.actions for function in functions.spec.functions},
        dead_letter_queues=dead_letters,
        rest_api=rest_api,
        http_api=http_api,
        graphql_api=graphql_api,
        websocket_stage=websocket_stage,
    )


def monitoring_problems(
    alarm_topic: sns.ITopic | None,
    alarm_topic_props: Props | None,
    alarm_email: str | Sequence[str] | None = None,
    alarm_thresholds: AlarmThresholds | None = None,
    *,
    enabled: bool = True,
) -> list[str]:
    """The props' conflicts; with `enabled=False` (`ServeyApp(monitoring=False)`), any prop given."""
    if not enabled:
        given = {
            "alarm_email": alarm_email,
            "alarm_topic": alarm_topic,
            "alarm_topic_props": alarm_topic_props,
            "alarm_thresholds": alarm_thresholds,
        }
        return [f"{name} is given, but monitoring is off" for name, value in given.items() if value]
    problems = override_problems("alarm_topic_props", alarm_topic_props, sns.Topic)
    problems += owned_keys_problems(
        "alarm_topic_props", alarm_topic_props, OWNED_TOPIC_PROPS, OWNED_TOPIC_WHY
    )
    return problems + existing_problems("alarm_topic_props", alarm_topic_props, "alarm_topic", alarm_topic)
