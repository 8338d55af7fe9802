"""`constructs_lib.testing`: a stack's snapshot holds no asset hash, so an edit of app code keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from constructs_lib import ServeyStack, testing
from constructs_lib.packaging import default_cache_dir
from constructs_lib.testing import UPDATE_SNAPSHOTS, assert_matches_snapshot, template_snapshot
from tests.constructs.tiny_project import write_tiny_project

MODULE = "snapshot_tiny_app"
HASH = "0123456789abcdef" * 4


def _stack(outdir: Path, project: Path, module: str = MODULE) -> ServeyStack:
    app = cdk.App(outdir=str(outdir))
    layer = {"layer_cache_dir": default_cache_dir()}
    return ServeyStack(app, "Tiny", app_module=module, app_root=project, app_props=layer)


def _raw_template(stack: ServeyStack) -> dict[str, object]:
    template: dict[str, object] = cdk.Stage.of(stack).synth().get_stack_artifact(stack.artifact_id).template  # type: ignore[union-attr]
    return template


def test_GIVEN_a_comment_added_to_the_apps_code_WHEN_snapshotted_again_THEN_the_snapshot_is_unchanged(
    tmp_path: Path,
) -> None:
    project = tmp_path / "proj"
    write_tiny_project(project, MODULE)
    before = _stack(tmp_path / "before", project)
    snapshot = template_snapshot(before)
    with (project / MODULE / "__init__.py").open("a") as module:
        module.write("# a comment: the code asset's hash changes\n")

    after = _stack(tmp_path / "after", project)

    assert _raw_template(after) != _raw_template(before)
    assert template_snapshot(after) == snapshot
    assert "<asset-hash>.zip" in json.dumps(snapshot)


def test_GIVEN_ids_and_metadata_made_of_asset_hashes_WHEN_normalized_THEN_each_has_the_placeholder() -> None:
    template = {
        "Parameters": {f"AssetParameters{HASH}S3BucketA1B2C3D4": {"Type": "String"}},
        "Resources": {
            "FnCurrentVersion1A2B3C4D" + "0123456789abcdef" * 2: {"Type": "AWS::Lambda::Version"},
            "Fn": {"Metadata": {"aws:asset:path": f"asset.{HASH}", "aws:asset:property": "Code"}},
        },
    }

    normalized = testing.normalized_template(template)

    assert normalized == {
        "Parameters": {"AssetParameters<asset-hash>S3Bucket": {"Type": "String"}},
        "Resources": {
            "FnCurrentVersion1A2B3C4D<asset-hash>": {"Type": "AWS::Lambda::Version"},
            "Fn": {"Metadata": {"aws:asset:path": "asset.<asset-hash>", "aws:asset:property": "Code"}},
        },
    }


def test_GIVEN_a_changed_stack_WHEN_asserted_THEN_it_fails_unless_asked_to_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    write_tiny_project(project, f"{MODULE}_updated")
    stack = _stack(tmp_path / "out", project, f"{MODULE}_updated")
    path = tmp_path / "snapshots" / "tiny.json"
    assert_matches_snapshot(stack, path)  # missing: written
    path.write_text(json.dumps({"Resources": {}}))

    with pytest.raises(AssertionError, match=f"differs from its snapshot {path}"):
        assert_matches_snapshot(stack, path)
    monkeypatch.setenv(UPDATE_SNAPSHOTS, "1")
    assert_matches_snapshot(stack, path)

    assert json.loads(path.read_text()) == template_snapshot(stack)
