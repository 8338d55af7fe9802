"""A CDK app in a folder of its own (`infra/app.py`) finds the app it deploys, by a real synth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from servey_cdk.discovery import app_roots, discover
from tests.constructs.tiny_project import APP_MODULE, write_tiny_project


def _synth(cdk_app: Path, outdir: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(cdk_app), str(outdir), *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _function_count(outdir: Path) -> int:
    resources = json.loads((outdir / "Tiny.template.json").read_text())["Resources"]
    return sum(resource["Type"] == "AWS::Lambda::Function" for resource in resources.values())


def test_GIVEN_a_CDK_app_in_infra_WHEN_it_gives_app_root_and_runs_elsewhere_THEN_it_synthesizes_the_app(
    tmp_path: Path,
) -> None:
    cdk_app = write_tiny_project(tmp_path / "proj")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    synth = _synth(cdk_app, tmp_path / "out", elsewhere, "root")

    assert synth.returncode == 0, synth.stderr[-3000:]
    assert _function_count(tmp_path / "out") >= 1


def test_GIVEN_cdk_json_in_infra_WHEN_the_CDK_app_runs_from_there_THEN_the_app_is_found_in_its_parent(
    tmp_path: Path,
) -> None:
    cdk_app = write_tiny_project(tmp_path / "proj")
    (cdk_app.parent / "cdk.json").write_text(json.dumps({"app": "python app.py"}))

    synth = _synth(cdk_app, tmp_path / "out", cdk_app.parent)

    assert synth.returncode == 0, synth.stderr[-3000:]
    assert _function_count(tmp_path / "out") >= 1


def test_GIVEN_cdk_json_WHEN_app_roots_are_listed_THEN_its_folder_and_parent_come_before_the_cwd(
    tmp_path: Path,
) -> None:
    (tmp_path / "infra" / "deep").mkdir(parents=True)
    (tmp_path / "infra" / "cdk.json").write_text("{}")

    roots = app_roots(tmp_path / "infra" / "deep")

    infra = (tmp_path / "infra").resolve()
    assert roots == [infra, tmp_path.resolve(), infra / "deep"]


def test_GIVEN_no_such_app_WHEN_discovered_THEN_the_error_names_every_folder_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "cdk.json").write_text("{}")
    monkeypatch.chdir(tmp_path / "infra")

    with pytest.raises(ModuleNotFoundError) as raised:
        discover("no_such_servey_app")

    message = str(raised.value)
    assert f"in {(tmp_path / 'infra').resolve()}, {tmp_path.resolve()} or on the import path" in message


def test_GIVEN_an_app_root_WHEN_discovered_THEN_the_app_is_imported_from_it(tmp_path: Path) -> None:
    write_tiny_project(tmp_path / "proj")

    registry = discover(APP_MODULE, tmp_path / "proj")

    assert [action.name for action in registry.actions] == ["say_hello"]
    assert registry.root == (tmp_path / "proj" / APP_MODULE).resolve()
