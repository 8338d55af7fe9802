"""Snapshot tests of a stack: its template, less what any edit of the app's code changes.

Every edit of the app's code (a comment too) changes its code asset's hash, and so the S3 key of
the asset, the legacy synthesizer's asset parameters, `aws:asset:*` metadata and the logical id of
a function's current version. The snapshot holds `<asset-hash>` in their place, so that it
changes only where the infrastructure does:

    from constructs_lib.testing import assert_matches_snapshot

    def test_the_stack_matches_its_snapshot() -> None:
        app = cdk.App()
        assert_matches_snapshot(ServeyStack(app, "MyApp", app_module="my_app"), SNAPSHOT)

Set `SERVEY_UPDATE_SNAPSHOTS=1` to write the snapshot anew (review its diff); a missing one is
written, and the test passes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from aws_cdk import Stack, Stage

UPDATE_SNAPSHOTS = "SERVEY_UPDATE_SNAPSHOTS"
PLACEHOLDER = "<asset-hash>"
# The asset hash (SHA-256) everywhere it appears: S3 keys, `asset.<hash>` paths, asset parameters;
# then a Lambda version's logical id, whose suffix is an MD5 of the function's code and settings.
ASSET_HASH = re.compile(r"[0-9a-f]{64}")
ASSET_PARAMETER = re.compile(rf"(AssetParameters{re.escape(PLACEHOLDER)}\w+?)[0-9A-F]{{8}}\b")
VERSION_ID = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}\b")


def template_snapshot(stack: Stack) -> dict[str, Any]:
    """The stack's synthesized template (its app synthesized if it was not yet), hashes normalized."""
    template = Stage.of(stack).synth().get_stack_artifact(stack.artifact_id).template  # type: ignore[union-attr]
    return normalized_template(template)


def normalized_template(template: dict[str, Any]) -> dict[str, Any]:
    """A template with every asset hash, and every id made from one, as `<asset-hash>`."""
    text = ASSET_HASH.sub(PLACEHOLDER, json.dumps(template))
    text = VERSION_ID.sub(rf"\1{PLACEHOLDER}", ASSET_PARAMETER.sub(r"\1", text))
    normalized: dict[str, Any] = json.loads(text)
    return normalized


def assert_matches_snapshot(stack: Stack, path: Path) -> None:
    """The stack's `template_snapshot` equals the one stored at `path` (written if missing or asked for)."""
    current = template_snapshot(stack)
    if os.environ.get(UPDATE_SNAPSHOTS) or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert current == stored, (
        f"the template of stack {stack.stack_name!r} differs from its snapshot {path}; "
        f"if the change is meant, run again with {UPDATE_SNAPSHOTS}=1 and review the diff"
    )
