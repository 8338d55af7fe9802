"""`cdk synth` through the real AWS CDK CLI, installed by the project's setup (scripts/test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

CDK = REPO_ROOT / ".cdk-cli" / "node_modules" / ".bin" / "cdk"


@pytest.mark.skipif(not CDK.exists(), reason="the CDK CLI is installed by scripts/test into .cdk-cli")
def test_GIVEN_the_readmes_steps_WHEN_cdk_synth_runs_THEN_it_writes_a_template_that_rehearses(
    tmp_path: Path,
) -> None:
    """GIVEN the README's steps: `cdk synth`, then `servey rehearse` on what it wrote."""
    venv_bin = str(Path(sys.executable).parent)
    environment = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    completed = subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "--output", str(tmp_path)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    templates = list(tmp_path.glob("*.template.json"))
    assert templates, f"no template in {sorted(p.name for p in tmp_path.iterdir())}"
    resources = json.loads(templates[0].read_text())["Resources"]
    kinds = {resource["Type"] for resource in resources.values()}
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::AppSync::GraphQLApi"} <= kinds

    rehearsal = subprocess.run(
        [sys.executable, "-m", "servey_cdk", "rehearse", "--assembly", tmp_path.name,
         "--env", "SAMPLE_ADMIN_PASSWORD=pw", "--login", "admin:pw"],
        cwd=tmp_path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert rehearsal.returncode == 0, rehearsal.stdout[-3000:] + rehearsal.stderr[-3000:]
    assert rehearsal.stdout.splitlines()[-1].endswith(" passed, 0 failed")
