"""`ServeyObjectEvents`: S3 notifications for each object trigger, on the buckets `ServeyResources` holds."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as notifications
from constructs import Construct

from constructs_lib.builders import (
    BASIC_EXECUTION_POLICY,
    acknowledge,
    acknowledge_cdk_handler,
    stack_singleton,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import raise_if_any
from servey_cdk.appspec import AppSpec, S3TriggerSpec
from servey_cdk.wire import BUCKET_PREFIX, environment_name

EVENT_TYPES = {"created": s3.EventType.OBJECT_CREATED, "removed": s3.EventType.OBJECT_REMOVED}


class ServeyObjectEvents(Construct):
    """S3's notifications of each object trigger, on the app's buckets (`ServeyResources.buckets`,
    by logical name); each notified function gets `SERVEY_BUCKET_<LOGICAL>` = the bucket's name."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        buckets: Mapping[str, s3.IBucket],
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyObjectEvents", object_events_problems(spec, buckets))
        self.buckets = dict(buckets)
        for trigger in spec.s3_triggers:
            self._notify(trigger, functions.functions[trigger.function])
        handler = stack_singleton(self, "BucketNotificationsHandler")
        if handler is not None:
            reason = "CDK's own handler that configures bucket notifications while deploying"
            policy = f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_POLICY}]"
            acknowledge(handler, policy, f"{reason}; its role is CDK's")
            acknowledge_cdk_handler(handler, reason)

    def _notify(self, trigger: S3TriggerSpec, function: lambda_.Function) -> None:
        bucket = self.buckets[trigger.bucket]
        key_filter = s3.NotificationKeyFilter(prefix=trigger.prefix, suffix=trigger.suffix)
        for event in trigger.events:
            bucket.add_event_notification(
                EVENT_TYPES[event], notifications.LambdaDestination(function), key_filter
            )
        function.add_environment(environment_name(BUCKET_PREFIX, trigger.bucket), bucket.bucket_name)


def object_events_problems(spec: AppSpec, buckets: Mapping[str, object]) -> list[str]:
    """Each trigger's bucket must be among those given."""
    return [
        f"action {trigger.action!r}: no bucket {trigger.bucket!r} is given for its S3Trigger"
        for trigger in spec.s3_triggers
        if trigger.bucket not in buckets
    ]
