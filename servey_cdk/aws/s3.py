"""S3 object events, routed to the actions whose `S3Trigger` matches.

A trigger names its bucket by the app's logical name; the constructs pass the real
name as `SERVEY_BUCKET_<LOGICAL NAME>` (upper case, any character but a letter or a
digit as `_`); without it, the logical name is matched as it is. The action receives
`bucket`, `key` (decoded), `event` ("created" or "removed") and `size`, those it
declares. Every record is processed; if any failed, the invocation fails afterwards
so that Lambda retries it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import ServeyError
from servey_cdk.triggers import S3Trigger

_KINDS = {"ObjectCreated": "created", "ObjectRemoved": "removed"}


class S3EventsFailed(Exception):
    """Some records of an S3 event failed; each was logged."""


@dataclass(frozen=True)
class S3Route:
    action: str
    bucket: str
    trigger: S3Trigger

    def matches(self, bucket: str, kind: str, key: str) -> bool:
        trigger = self.trigger
        return (
            bucket == self.bucket
            and kind in trigger.events
            and key.startswith(trigger.prefix or "")
            and key.endswith(trigger.suffix or "")
        )


def bucket_name(logical: str) -> str:
    """The real name the constructs passed for a logical bucket name, else the name itself."""
    return os.environ.get("SERVEY_BUCKET_" + re.sub(r"[^A-Za-z0-9]", "_", logical).upper(), logical)


class S3Adapter:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._routes = [
            S3Route(action.name, bucket_name(trigger.bucket), trigger)
            for action in runtime.registry.actions
            if runtime.serves(action.name)
            for trigger in action.triggers
            if isinstance(trigger, S3Trigger)
        ]

    def handle(self, event: Mapping[str, Any], request_id: str) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        failed = 0
        for record in event["Records"]:
            s3 = record["s3"]
            bucket, key = s3["bucket"]["name"], unquote_plus(s3["object"]["key"])
            kind = _KINDS.get(str(record.get("eventName", "")).partition(":")[0])
            values = {"bucket": bucket, "key": key, "event": kind, "size": s3["object"].get("size")}
            for route in self._routes:
                if kind is None or not route.matches(bucket, kind, key):
                    continue
                try:
                    runner = self.runtime.runner(route.action)
                    wanted = {p.name for p in runner.signature.inputs}
                    params = {name: value for name, value in values.items() if name in wanted}
                    result = runner.invoke(params, authorization=None, source="s3", request_id=request_id)
                    done.append({"action": route.action, "key": key, "result": runner.dump(result)})
                except ServeyError as error:
                    self.runtime.report(error, bucket=bucket, key=key)
                    failed += 1
        if failed:
            raise S3EventsFailed(f"{failed} of the event's object notifications failed; see the logs")
        return done
