"""What the local AWS holds, kept in a folder between runs: each table's items, each bucket's objects
and each parameter's value, written atomically, so that a run stopped at any moment leaves the last
whole copy. Secret values are never written here except those servey-local made up (`values.py`).

    tables/<name>.json               {"items": [...]}, each item in DynamoDB's JSON
    buckets/<name>/index.json        {key: {"file", "etag", "content_type", "metadata"}}
    buckets/<name>/objects/<sha256>  an object's bytes, named by its key's hash (keys are not paths)
    parameters.json                  {name: value}
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

Client = Any  # boto3's clients ship no types
BATCH_WRITE_ITEMS = 25  # DynamoDB's BatchWriteItem limit


class ResourceState:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def table_file(self, table: str) -> Path:
        return self.folder / "tables" / f"{table}.json"

    def load_table(self, dynamodb: Client, table: str) -> bool:
        """Put the kept items back into the new table; False when none were kept (a first run)."""
        path = self.table_file(table)
        if not path.exists():
            return False
        items = json.loads(path.read_text())["items"]
        for start in range(0, len(items), BATCH_WRITE_ITEMS):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_ITEMS]]
            dynamodb.batch_write_item(RequestItems={table: requests})
        return True

    def save_table(self, dynamodb: Client, table: str) -> None:
        items = [
            item
            for page in dynamodb.get_paginator("scan").paginate(TableName=table)
            for item in page["Items"]
        ]
        _write(self.table_file(table), json.dumps({"items": items}, indent=1).encode())

    def load_bucket(self, s3: Client, bucket: str) -> None:
        folder = self.folder / "buckets" / bucket
        for key, kept in _index(folder).items():
            body = (folder / "objects" / kept["file"]).read_bytes()
            extra = {"ContentType": kept["content_type"]} if kept.get("content_type") else {}
            s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=kept.get("metadata", {}), **extra)

    def save_bucket(self, s3: Client, bucket: str) -> None:
        """Write the objects new or changed since the last save, and forget the ones deleted."""
        folder = self.folder / "buckets" / bucket
        before = _index(folder)
        after: dict[str, dict[str, Any]] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                key, etag = listed["Key"], listed["ETag"]
                kept = before.get(key)
                if kept is None or kept["etag"] != etag or not (folder / "objects" / kept["file"]).exists():
                    got = s3.get_object(Bucket=bucket, Key=key)
                    kept = {
                        "file": hashlib.sha256(key.encode()).hexdigest(),
                        "etag": etag,
                        "content_type": got.get("ContentType"),
                        "metadata": got.get("Metadata", {}),
                    }
                    _write(folder / "objects" / kept["file"], got["Body"].read())
                after[key] = kept
        _write(folder / "index.json", json.dumps(after, indent=1).encode())
        for gone in {kept["file"] for kept in before.values()} - {kept["file"] for kept in after.values()}:
            (folder / "objects" / gone).unlink(missing_ok=True)

    def parameters(self) -> dict[str, str]:
        path = self.folder / "parameters.json"
        return dict(json.loads(path.read_text())) if path.exists() else {}

    def save_parameters(self, values: dict[str, str]) -> None:
        _write(self.folder / "parameters.json", json.dumps(values, indent=1).encode())


def _index(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "index.json"
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a sibling file, then renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
