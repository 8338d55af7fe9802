"""Object events: an action run for objects created or removed in a bucket.

Metadata `S3Trigger`, AppSpec entry `S3TriggerSpec`. Lambda adapter
`servey_cdk/aws/s3.py`, construct `constructs_lib/object_events.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servey_cdk.types import S3EventKind

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import S3TriggerSpec
    from servey_cdk.resources.declared import Bucket


@dataclass(frozen=True)
class S3Trigger:
    """Run the action for object events in a bucket, optionally filtered by key.

    `bucket` is a declared `Bucket`, or the name of one: a name no `Bucket` declares stands for
    a bucket of the app's own, made by the constructs.
    """

    bucket: Bucket | str
    events: tuple[S3EventKind, ...] = ("created",)
    prefix: str | None = None
    suffix: str | None = None


def s3_trigger_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[S3TriggerSpec, ...]:
    """Every object trigger of the app; S3 refuses none that the metadata can express."""
    from servey_cdk.appspec import S3TriggerSpec

    return tuple(
        S3TriggerSpec(action.name, function_of[action.name], bucket_name(t), t.events, t.prefix, t.suffix)
        for action in actions
        for t in action.triggers_of(S3Trigger)
    )


def bucket_name(trigger: S3Trigger) -> str:
    return trigger.bucket if isinstance(trigger.bucket, str) else trigger.bucket.name


def object_matches(
    events: tuple[str, ...] | list[str], prefix: str | None, suffix: str | None, kind: str, key: str
) -> bool:
    """Whether an object event (its kind, "created" or "removed", and its decoded key) runs a
    trigger of these events, prefix and suffix: the filter S3's notification applies."""
    return kind in events and key.startswith(prefix or "") and key.endswith(suffix or "")
