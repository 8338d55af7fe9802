"""Lambda code and dependency packaging, without Docker.

The code asset holds the app's package and `servey_cdk` side by side. Third-party
dependencies go in a layer that pip builds for the Lambda platform from wheels only,
cached under the hash of what was asked for, so repeated synths never re-run pip.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import servey_cdk

EXCLUDED = (
    "tests",
    "__pycache__",
    "*.pyc",
    "cdk.out",
    ".venv",
    "infrastructure",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".git",
)


def default_cache_dir() -> Path:
    configured = os.environ.get("SERVEY_CDK_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "servey-cdk"


def stage_code(app_root: Path, app_module: str, target: Path) -> Path:
    """Copy the app and the `servey_cdk` package into `target`: the Lambda code asset."""
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns(*EXCLUDED)
    package = app_module.split(".")[0]
    if (app_root / "__init__.py").is_file():
        shutil.copytree(app_root, target / package, ignore=ignore)
    else:
        shutil.copytree(app_root, target, ignore=ignore)
    shutil.copytree(Path(servey_cdk.__file__).parent, target / "servey_cdk", ignore=ignore)
    return target


def layer_platform(architecture: str) -> str:
    return "manylinux2014_aarch64" if architecture == "arm64" else "manylinux2014_x86_64"


def build_layer(
    requirements: Sequence[str],
    python_version: str,
    architecture: str,
    cache_dir: Path | None = None,
) -> Path:
    """The directory of a layer holding `requirements` under `python/`, built once per hash."""
    platform = layer_platform(architecture)
    key = json.dumps([sorted(requirements), python_version, platform])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    layers = (cache_dir or default_cache_dir()) / "layers"
    built = layers / digest
    if built.is_dir():
        return built
    layers.mkdir(parents=True, exist_ok=True)
    # Build beside the cache entry and rename, so concurrent synths never see half a layer.
    with tempfile.TemporaryDirectory(dir=layers) as building:
        _pip_install(requirements, python_version, platform, Path(building) / "python")
        try:
            os.rename(building, built)
        except OSError:
            if not built.is_dir():
                raise
        else:
            os.mkdir(building)  # TemporaryDirectory removes what it created
    return built


def _pip_install(requirements: Sequence[str], python_version: str, platform: str, target: Path) -> None:
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--platform", platform, "--only-binary=:all:", "--implementation", "cp",
        "--python-version", python_version, "--target", str(target), *requirements,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(
            f"pip could not build the dependency layer for {platform} (Python {python_version}) "
            f"from {list(requirements)}:\n{completed.stderr.strip()}"
        )
