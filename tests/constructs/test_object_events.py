"""ServeyObjectEvents: notifications on a created bucket, or on an existing bucket named by the user."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from constructs_lib import PropsError, ServeyObjectEvents, ServeyResources
from constructs_lib.resources import resources_problems
from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import EXISTING_UPLOADS_BUCKET, Synthesized
from tests.constructs.template_queries import Resources, app_function, of_type


def _notification(resources: Resources) -> dict[str, object]:
    (notification,) = of_type(resources, "Custom::S3BucketNotifications").values()
    properties: dict[str, object] = notification["Properties"]
    return properties


def test_GIVEN_the_sample_stack_THEN_created_and_removed_objects_notify_the_function_with_the_key_filter(
    resources: Resources,
) -> None:
    configurations = _notification(resources)["NotificationConfiguration"]["LambdaFunctionConfigurations"]  # type: ignore[index]
    assert {c["Events"][0] for c in configurations} == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
    rules = configurations[0]["Filter"]["Key"]["FilterRules"]
    assert {(r["Name"], r["Value"]) for r in rules} == {("prefix", "incoming/"), ("suffix", ".csv")}


def test_GIVEN_the_sample_stack_THEN_the_object_events_function_learns_the_bucket_name(
    resources: Resources,
) -> None:
    variables = app_function(resources, "on_upload")[1]["Environment"]["Variables"]
    assert variables["SERVEY_BUCKET_UPLOADS"] == _notification(resources)["BucketName"]


def test_GIVEN_an_existing_bucket_named_by_the_user_THEN_it_gets_the_notifications(
    synthesized: Synthesized,
) -> None:
    user = synthesized.templates["UserStack"]["Resources"]
    assert _notification(user)["BucketName"] == EXISTING_UPLOADS_BUCKET
    assert not [b for b in of_type(user, "AWS::S3::Bucket") if "ObjectEvents" in b]


def test_GIVEN_buckets_naming_unknown_or_doubly_given_buckets_THEN_all_are_reported(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    stack = cdk.Stack(fresh_app, "Invalid")
    given = {"downloads": None, "uploads": None}
    with pytest.raises(PropsError) as raised:
        ServeyResources(
            stack, "Resources", spec=spec, functions=None,  # type: ignore[arg-type]
            buckets=given, existing_bucket_names={"uploads": "real-name"},  # type: ignore[arg-type]
        )  # fmt: skip
    assert raised.value.problems == tuple(
        resources_problems(spec, {"buckets": given}, {"uploads": "real-name"})
    )
    assert len(raised.value.problems) == 2


def test_GIVEN_no_bucket_for_a_trigger_THEN_the_object_events_refuse_naming_the_action(
    spec: AppSpec, fresh_app: cdk.App
) -> None:
    with pytest.raises(
        PropsError, match="action 'on_upload': no bucket 'uploads' is given for its S3Trigger"
    ):
        ServeyObjectEvents(cdk.Stack(fresh_app, "NoBucket"), "Events", spec=spec, functions=None, buckets={})  # type: ignore[arg-type]
