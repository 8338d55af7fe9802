"""Importing servey_cdk is cheap: what runs inside Lambda loads nothing it does not use."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

HEAVY = ("pydantic", "jwt", "aws_cdk", "starlette", "graphql", "jinja2")


def test_GIVEN_a_fresh_interpreter_WHEN_importing_servey_cdk_THEN_no_heavy_module_is_loaded() -> None:
    probe = f"import sys, servey_cdk; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"

    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip() == "[]"
