"""Code assets staged as the constructs stage them, AppSpec included: what a Lambda function runs."""

from __future__ import annotations

import sys
from pathlib import Path

from constructs_lib.packaging import stage_code
from servey_cdk.appspec_builder import load_spec


def staged_code_asset(app_module: str, target: Path, search: Path | None = None) -> Path:
    """The code asset of `app_module` in `target`; `search` is a folder the module is imported from."""
    if search is not None and str(search) not in sys.path:
        sys.path.insert(0, str(search))
    spec = load_spec(app_module)
    return stage_code(Path(spec.root), app_module, target, spec.shipped().to_json())
