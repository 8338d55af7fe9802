"""`ServeyObjectEvents`: S3 notifications for each object trigger, on buckets created, given or imported."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as notifications
from constructs import Construct

from constructs_lib import builders
from constructs_lib.builders import (
    BASIC_EXECUTION_POLICY,
    acknowledge,
    acknowledge_cdk_handler,
    construct_id,
    stack_singleton,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, raise_if_any, unknown_names_problems
from servey_cdk.appspec import AppSpec, S3TriggerSpec
from servey_cdk.wire import BUCKET_PREFIX, environment_name

EVENT_TYPES = {"created": s3.EventType.OBJECT_CREATED, "removed": s3.EventType.OBJECT_REMOVED}


class ServeyObjectEvents(Construct):
    """Attributes: `buckets` (by logical name), `access_logs_bucket` (None when no bucket is created).

    A logical bucket name is backed by the bucket given in `buckets`, else the existing bucket named in
    `existing_bucket_names`, else a new bucket. Functions get `SERVEY_BUCKET_<LOGICAL>` = the bucket name.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        buckets: Mapping[str, s3.IBucket] | None = None,
        existing_bucket_names: Mapping[str, str] | None = None,
        bucket_props: Props | None = None,
        access_logs_bucket: s3.IBucket | None = None,
    ) -> None:
        super().__init__(scope, id)
        given, existing = dict(buckets or {}), dict(existing_bucket_names or {})
        raise_if_any("ServeyObjectEvents", object_events_problems(spec, given, existing, bucket_props))
        logical = sorted({trigger.bucket for trigger in spec.s3_triggers})
        self.access_logs_bucket: s3.IBucket | None = access_logs_bucket
        self.buckets: dict[str, s3.IBucket] = {}
        for name in logical:
            if name in given:
                self.buckets[name] = given[name]
            elif name in existing:
                self.buckets[name] = s3.Bucket.from_bucket_name(self, construct_id(name), existing[name])
            else:
                self.buckets[name] = self._bucket(name, bucket_props)
        for trigger in spec.s3_triggers:
            self._notify(trigger, functions.functions[trigger.function])
        handler = stack_singleton(self, "BucketNotificationsHandler")
        if handler is not None:
            reason = "CDK's own handler that configures bucket notifications while deploying"
            policy = f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_POLICY}]"
            acknowledge(handler, policy, f"{reason}; its role is CDK's")
            acknowledge_cdk_handler(handler, reason)

    def _bucket(self, name: str, bucket_props: Props | None) -> s3.Bucket:
        if self.access_logs_bucket is None:
            self.access_logs_bucket = builders.access_logs_bucket(self, "AccessLogs")
        return builders.bucket(self, construct_id(name), bucket_props, self.access_logs_bucket, f"{name}/")

    def _notify(self, trigger: S3TriggerSpec, function: lambda_.Function) -> None:
        bucket = self.buckets[trigger.bucket]
        key_filter = s3.NotificationKeyFilter(prefix=trigger.prefix, suffix=trigger.suffix)
        for event in trigger.events:
            bucket.add_event_notification(
                EVENT_TYPES[event], notifications.LambdaDestination(function), key_filter
            )
        function.add_environment(environment_name(BUCKET_PREFIX, trigger.bucket), bucket.bucket_name)


def object_events_problems(
    spec: AppSpec,
    buckets: Mapping[str, object] | None,
    existing_bucket_names: Mapping[str, str] | None,
    bucket_props: Props | None = None,
) -> list[str]:
    given, existing = set(buckets or {}), set(existing_bucket_names or {})
    logical = {trigger.bucket for trigger in spec.s3_triggers}
    problems = unknown_names_problems("buckets", given, logical)
    problems += unknown_names_problems("existing_bucket_names", existing, logical)
    problems += [
        f"bucket {name!r} is given both in buckets and in existing_bucket_names"
        for name in sorted(given & existing)
    ]
    return problems + builders.bucket_props_problems(bucket_props)
