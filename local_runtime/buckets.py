"""S3's object notifications: each object put into or removed from a declared bucket of the local
AWS (`servey_cdk.local_aws`), by an action, the AWS CLI or `PUT|DELETE /_servey/buckets/{bucket}/{key}`,
notifies the functions whose S3Triggers match it.

Each change makes the event S3 sends a notified function (its key URL-encoded, as S3 encodes it;
its size and ETag the object's), once to each function with a trigger the event's kind, prefix
and suffix match, as S3 sends one per matching notification. S3 invokes Lambda asynchronously
(`AsyncInvocations`): the change is answered at once, a failed invocation retried twice, then
kept in `GET /_servey/buckets` and logged. Served from a cloud assembly, where the stack's moto
holds the objects, the endpoint only notifies: its body stands for the object.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local_runtime.async_invocations import LAMBDA_ASYNC_RETRY_DELAYS_S, AsyncInvocations
from local_runtime.invoker import FunctionInvoker
from local_runtime.lambda_context import REGION
from local_runtime.request_body import read_body
from local_runtime.types import Event
from servey_cdk.appspec import AppSpec, S3TriggerSpec
from servey_cdk.local_aws.backend import LocalResources, ObjectChange
from servey_cdk.triggers.s3 import object_matches

MAX_OBJECT_BYTES = 64 * 1024 * 1024  # servey-local's own bound: it reads a body to size and tag it
EVENT_NAMES = {"created": "ObjectCreated:Put", "removed": "ObjectRemoved:Delete"}


class LocalBuckets:
    """The buckets the spec's S3Triggers name; `retry_delays_s` are the waits before each retry."""

    def __init__(
        self,
        spec: AppSpec,
        invoker: FunctionInvoker,
        retry_delays_s: tuple[float, ...] = LAMBDA_ASYNC_RETRY_DELAYS_S,
    ) -> None:
        self.invocations = AsyncInvocations(invoker, "buckets", retry_delays_s)
        self.triggers: dict[str, list[S3TriggerSpec]] = {}
        for trigger in spec.s3_triggers:
            self.triggers.setdefault(trigger.bucket, []).append(trigger)
        self.resources: LocalResources | None = None
        self._changed: Callable[[ObjectChange], None] = lambda _: None

    def watch(self, resources: LocalResources, loop: asyncio.AbstractEventLoop) -> None:
        """Notify of each change to the local AWS's buckets, told in moto's thread, on `loop`."""
        self.resources = resources

        def changed(change: ObjectChange) -> None:
            if change.bucket in self.triggers:
                asyncio.run_coroutine_threadsafe(self._notify_change(change), loop)

        resources.on_object.append(changed)
        self._changed = changed

    def unwatch(self) -> None:
        if self.resources is not None:
            self.resources.on_object.remove(self._changed)
            self.resources = None

    async def _notify_change(self, change: ObjectChange) -> None:
        size, etag = None, None
        if change.kind == "created" and self.resources is not None:
            head = await asyncio.to_thread(
                self.resources.client("s3").head_object, Bucket=change.bucket, Key=change.key
            )
            size, etag = int(head["ContentLength"]), str(head["ETag"]).strip('"')
        self.notify(change.bucket, change.key, change.event_name, size, etag)

    async def endpoint(self, request: Request) -> Response:
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        if bucket not in self.triggers:
            known = ", ".join(self.triggers) or "none"
            detail = f"no S3Trigger names bucket {bucket!r} (known: {known})"
            return JSONResponse({"error": "not_found", "detail": detail}, 404)
        if not key:
            return JSONResponse({"error": "invalid_parameter", "detail": "key: required"}, 400)
        kind = "created" if request.method == "PUT" else "removed"
        body = await read_body(request, MAX_OBJECT_BYTES) if kind == "created" else b""
        if body is None:
            detail = f"the object is over servey-local's {MAX_OBJECT_BYTES}-byte limit"
            return JSONResponse({"error": "payload_too_large", "detail": detail}, 413)
        event_name = EVENT_NAMES[kind]
        if self.resources is None:
            etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
            notified = self.notify(bucket, key, event_name, len(body), etag if kind == "created" else None)
        else:  # the object goes into the bucket, whose change notifies
            s3 = self.resources.client("s3")
            if kind == "created":
                await asyncio.to_thread(s3.put_object, Bucket=bucket, Key=key, Body=body)
            else:
                await asyncio.to_thread(s3.delete_object, Bucket=bucket, Key=key)
            notified = self.functions_notified(bucket, key, kind)
        answer = {"bucket": bucket, "key": key, "event": event_name, "notified": notified}
        return JSONResponse(answer)

    def functions_notified(self, bucket: str, key: str, kind: str) -> list[str]:
        """The functions a change of this kind to this key notifies, in order, each once."""
        return list(
            dict.fromkeys(
                trigger.function
                for trigger in self.triggers[bucket]
                if object_matches(trigger.events, trigger.prefix, trigger.suffix, kind, key)
            )
        )

    def notify(self, bucket: str, key: str, event_name: str, size: int | None, etag: str | None) -> list[str]:
        """Start notifying each function a trigger of which matches; the functions, in order."""
        kind = "created" if event_name.startswith("ObjectCreated") else "removed"
        functions = self.functions_notified(bucket, key, kind)
        for function in functions:
            event = object_event(bucket, key, event_name, size, etag)
            request_id = event["Records"][0]["responseElements"]["x-amz-request-id"]
            self.invocations.start(f"bucket {bucket}", function, request_id, event)
        return functions

    def to_dict(self) -> dict[str, Any]:
        """The buckets, the functions notified of each, and the deliveries that failed for good."""
        buckets = [
            {"name": name, "functions": list(dict.fromkeys(trigger.function for trigger in triggers))}
            for name, triggers in self.triggers.items()
        ]
        return {"buckets": buckets, "failures": [asdict(failure) for failure in self.invocations.failures]}


def object_event(bucket: str, key: str, event_name: str, size: int | None, etag: str | None) -> Event:
    """The notification S3 sends a function, as `tests/events/s3_object_*.json` record it."""
    now = datetime.now(UTC)
    # `sequencer` orders the events of one key: a hexadecimal, here the time in nanoseconds.
    sequencer = f"{int(now.timestamp() * 1e9):016X}"
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": sequencer}
    if size is not None and etag is not None:  # a created object's; a removal's event has neither
        obj = {**obj, "size": size, "eTag": etag}
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "eventName": event_name,
        "userIdentity": {"principalId": "servey-local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {
            "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
            "x-amz-id-2": uuid.uuid4().hex,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": f"servey-{bucket}-notification",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "servey-local"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }
    return {"Records": [record]}
