"""S3 object events, routed to the actions whose `S3Trigger` matches.

A trigger names its bucket by the app's logical name; the constructs pass the real
name as `SERVEY_BUCKET_<LOGICAL NAME>` (the wire contract's naming rule); without
it, the logical name is matched as it is. The action receives `bucket`, `key`
(decoded), `event` ("created" or "removed") and `size`, those it declares. Every
record is processed; if any failed, the invocation fails afterwards so that Lambda
retries it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from servey_cdk.aws.runtime import Runtime
from servey_cdk.aws.sources import records_of
from servey_cdk.errors import ServeyError
from servey_cdk.triggers.s3 import object_matches
from servey_cdk.wire import BUCKET_PREFIX, environment_name

_KINDS = {"ObjectCreated": "created", "ObjectRemoved": "removed"}


class S3EventsFailed(Exception):
    """Some records of an S3 event failed; each was logged."""


def bucket_name(logical: str) -> str:
    """The real name the constructs passed for a logical bucket name, else the name itself."""
    return os.environ.get(environment_name(BUCKET_PREFIX, logical), logical)


class S3Source:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._triggers = [
            (bucket_name(trigger["bucket"]), trigger) for trigger in runtime.entries("s3_triggers")
        ]

    def matches(self, event: Any) -> bool:
        return records_of(event, "aws:s3")

    def handle(self, event: Mapping[str, Any], request_id: str) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        failed = 0
        for record in event["Records"]:
            s3 = record["s3"]
            bucket, key = s3["bucket"]["name"], unquote_plus(s3["object"]["key"])
            kind = _KINDS.get(str(record.get("eventName", "")).partition(":")[0])
            values = {"bucket": bucket, "key": key, "event": kind, "size": s3["object"].get("size")}
            triggers = [
                trigger
                for real_bucket, trigger in self._triggers
                if kind is not None and bucket == real_bucket and _matches(trigger, kind, key)
            ]
            if not triggers:
                self.runtime.log.rejected(
                    "no S3Trigger of this function matches the object event",
                    bucket=bucket, key=key, event_name=record.get("eventName"),
                )  # fmt: skip
            for trigger in triggers:
                action = trigger["action"]
                try:
                    runner = self.runtime.runner(action)
                    wanted = {p.name for p in runner.signature.inputs}
                    params = {name: value for name, value in values.items() if name in wanted}
                    result = runner.invoke(params, authorization=None, source="s3", request_id=request_id)
                    done.append({"action": action, "key": key, "result": runner.dump(result)})
                except ServeyError as error:
                    self.runtime.report(error, bucket=bucket, key=key)
                    failed += 1
        if failed:
            raise S3EventsFailed(f"{failed} of the event's object notifications failed; see the logs")
        return done


def _matches(trigger: Mapping[str, Any], kind: str, key: str) -> bool:
    """Whether an object event runs a trigger (an `S3TriggerSpec`'s JSON form)."""
    return object_matches(trigger["events"], trigger["prefix"], trigger["suffix"], kind, key)
