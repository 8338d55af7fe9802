"""Quality gates over every synthesized template: snapshot, cfn-lint, cdk-nag."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from conftest import Synthesized

SNAPSHOT = Path(__file__).parent / "snapshots" / "sample_app.template.json"
UPDATE_ENV = "SERVEY_UPDATE_SNAPSHOTS"
ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def normalized(template: dict[str, Any]) -> dict[str, Any]:
    """The template with asset hashes (which change with any source edit) replaced by a placeholder."""
    loaded: dict[str, Any] = json.loads(ASSET_HASH.sub("<asset-hash>", json.dumps(template)))
    return loaded


def test_the_sample_app_template_matches_its_snapshot(synthesized: Synthesized) -> None:
    """Set SERVEY_UPDATE_SNAPSHOTS=1 to accept a new template after reviewing its diff."""
    current = normalized(synthesized.templates["SampleApp"])
    if os.environ.get(UPDATE_ENV):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), f"no snapshot yet: run with {UPDATE_ENV}=1"
    assert current == json.loads(SNAPSHOT.read_text())


@pytest.mark.parametrize("stack", ["SampleApp", "UserStack"])
def test_cfn_lint_finds_no_errors(synthesized: Synthesized, stack: str) -> None:
    matches = lint(json.dumps(synthesized.templates[stack]), config=ManualArgs(regions=["us-east-1"]))
    errors = [
        f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})"
        for m in matches
        if m.rule.id.startswith("E")
    ]
    assert errors == []


def test_cdk_nag_reports_no_unacknowledged_findings(synthesized: Synthesized) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    assert findings == []
    assert synthesized.validation_error is None
    assert {plugin["pluginName"] for plugin in report["pluginReports"]} >= {"AwsSolutions", "Serverless"}
