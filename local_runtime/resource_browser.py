"""`/_servey/tables` and `/_servey/buckets/{bucket}`: what the local AWS's declared tables and buckets
hold, to browse. Items are shown as plain JSON (numbers as numbers, binary as base64, sets as
lists); a page of items or keys at a time, the next one asked for with the `start` it gives."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from local_runtime.table_streams import LocalStreams
from servey_cdk.local_aws.backend import LocalResources
from servey_cdk.local_aws.items import plain_item

if TYPE_CHECKING:
    from local_runtime.app import LocalRuntime

PAGE = 50  # items or keys a page
MAX_PAGE = 1000  # as S3's ListObjectsV2 gives at most


class ResourceBrowser:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime

    @property
    def resources(self) -> LocalResources | None:
        """The runtime's local AWS, as it is now: its own, or the one it shares."""
        return self.runtime.resources

    @property
    def streams(self) -> LocalStreams:
        return self.runtime.streams

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/_servey/tables", self.tables),
            Route("/_servey/tables/{name}", self.items),
            Route("/_servey/buckets/{bucket}", self.keys),
        ]

    def _refused(self, request: Request, kind: str, name: str) -> Response | None:
        """The answer to a page of a resource that is not declared, or asked for with a bad limit."""
        spec = self.resources.spec if self.resources is not None else None
        known = [r.name for r in (spec.tables if kind == "table" else spec.buckets)] if spec else []
        if name not in known:
            return _not_found(f"no declared {kind} {name!r} (known: {', '.join(known) or 'none'})")
        if _limit(request) is None:
            return _bad("limit", f"an integer from 1 to {MAX_PAGE}")
        return None

    async def tables(self, _: Request) -> Response:
        if self.resources is None:
            return JSONResponse({"tables": [], "stream_failures": []})
        dynamodb = self.resources.client("dynamodb")

        def describe() -> list[dict[str, Any]]:
            shown = []
            for table in self.resources.spec.tables if self.resources else ():
                count = dynamodb.scan(TableName=table.name, Select="COUNT")["Count"]
                keys = [key.name for key in (table.partition_key, table.sort_key) if key is not None]
                shown.append({"name": table.name, "keys": keys, "items": count, "stream": table.stream})
            return shown

        answer = {
            "endpoint": self.resources.endpoint,
            "tables": await asyncio.to_thread(describe),
            "secrets": [secret.name for secret in self.resources.spec.secrets],
            "parameters": [parameter.name for parameter in self.resources.spec.parameters],
            "stream_failures": self.streams.failures,
        }
        return JSONResponse(answer)

    async def items(self, request: Request) -> Response:
        name = request.path_params["name"]
        refused = self._refused(request, "table", name)
        if refused is not None:
            return refused
        assert self.resources is not None  # else nothing is declared, and `_refused` said so
        scan: dict[str, Any] = {"TableName": name, "Limit": _limit(request)}
        start = request.query_params.get("start")
        if start:
            try:
                scan["ExclusiveStartKey"] = json.loads(base64.urlsafe_b64decode(start))
            except ValueError:
                return _bad("start", "the `next` a page of this table gave")
        page = await asyncio.to_thread(self.resources.client("dynamodb").scan, **scan)
        after = page.get("LastEvaluatedKey")
        answer = {
            "table": name,
            "items": [plain_item(item) for item in page["Items"]],
            "next": base64.urlsafe_b64encode(json.dumps(after).encode()).decode() if after else None,
        }
        return JSONResponse(answer)

    async def keys(self, request: Request) -> Response:
        bucket = request.path_params["bucket"]
        refused = self._refused(request, "bucket", bucket)
        if refused is not None:
            return refused
        assert self.resources is not None  # else nothing is declared, and `_refused` said so
        listing: dict[str, Any] = {
            "Bucket": bucket,
            "MaxKeys": _limit(request),
            "Prefix": request.query_params.get("prefix", ""),
        }
        if request.query_params.get("start"):
            listing["ContinuationToken"] = request.query_params["start"]
        page = await asyncio.to_thread(self.resources.client("s3").list_objects_v2, **listing)
        objects = [
            {
                "key": o["Key"],
                "size": o["Size"],
                "etag": o["ETag"].strip('"'),
                "last_modified": o["LastModified"].isoformat(),
            }
            for o in page.get("Contents", [])
        ]
        return JSONResponse({"bucket": bucket, "objects": objects, "next": page.get("NextContinuationToken")})


def _limit(request: Request) -> int | None:
    text = request.query_params.get("limit", str(PAGE))
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else None


def _not_found(detail: str) -> Response:
    return JSONResponse({"error": "not_found", "detail": detail}, 404)


def _bad(parameter: str, wanted: str) -> Response:
    return JSONResponse({"error": "invalid_parameter", "detail": f"{parameter}: {wanted}"}, 400)
