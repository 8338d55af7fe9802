"""Quality gates over every synthesized template: snapshot, cfn-lint, cdk-nag, checkov."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from constructs_lib.testing import assert_matches_snapshot
from tests.conftest import REPO_ROOT
from tests.constructs.conftest import Production, Synthesized

SNAPSHOT = Path(__file__).parent / "snapshots" / "sample_app.template.json"
# checkov pins boto3, packaging and networkx below the project's own: scripts/test gives it a virtualenv.
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"


def test_GIVEN_the_sample_stack_THEN_its_template_matches_the_snapshot(synthesized: Synthesized) -> None:
    """Set SERVEY_UPDATE_SNAPSHOTS=1 to accept a new template after reviewing its diff."""
    assert_matches_snapshot(synthesized.sample, SNAPSHOT)


@pytest.mark.parametrize("stack", ["SampleApp", "UserStack"])
def test_GIVEN_each_stack_WHEN_cfn_lint_runs_THEN_it_finds_no_errors(
    synthesized: Synthesized, stack: str
) -> None:
    matches = lint(json.dumps(synthesized.templates[stack]), config=ManualArgs(regions=["us-east-1"]))
    errors = [
        f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})"
        for m in matches
        if m.rule.id.startswith("E")
    ]
    assert errors == []


def _nag_findings(outdir: Path) -> list[str]:
    report = json.loads((outdir / "validation-report.json").read_text())
    assert {plugin["pluginName"] for plugin in report["pluginReports"]} >= {"AwsSolutions", "Serverless"}
    return [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


def test_GIVEN_the_sample_stack_WHEN_cdk_nag_runs_THEN_it_reports_no_unacknowledged_findings(
    synthesized: Synthesized,
) -> None:
    assert _nag_findings(synthesized.outdir) == []
    assert synthesized.validation_error is None


def test_GIVEN_the_production_options_WHEN_cdk_nag_runs_THEN_it_reports_no_unacknowledged_findings(
    production: Production,
) -> None:
    assert _nag_findings(production.outdir) == []
    assert production.validation_error is None


def _checkov_failures(template: Path) -> list[str]:
    """checkov's failed checks on a template; each acknowledged one sits in its resource's metadata."""
    checkov = str(CHECKOV) if CHECKOV.exists() else shutil.which("checkov")
    if checkov is None:
        pytest.skip("checkov is not installed: scripts/test installs it into .venv-checkov")
    command = [checkov, "-f", str(template), "--framework", "cloudformation", "-o", "json", "--quiet"]
    # --skip-download: the checks ship with checkov; nothing is fetched from its vendor's platform.
    run = subprocess.run([*command, "--skip-download"], capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["passed"] > 0
    assert report["summary"]["parsing_errors"] == 0
    return [f"{check['check_id']} {check['resource']}" for check in report["results"]["failed_checks"]]


def test_GIVEN_the_sample_stack_WHEN_checkov_runs_THEN_it_finds_no_unacknowledged_failures(
    synthesized: Synthesized,
) -> None:
    assert _checkov_failures(synthesized.outdir / "SampleApp.template.json") == []


def test_GIVEN_the_production_options_WHEN_checkov_runs_THEN_it_finds_no_unacknowledged_failures(
    production: Production,
) -> None:
    """No acknowledgment is left where the option it waives is on (a WAF, an API key, reserved
    concurrency): those checks pass."""
    assert _checkov_failures(production.outdir / "Production.template.json") == []
