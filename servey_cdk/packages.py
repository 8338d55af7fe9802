"""Folders of packages that pip installs for a platform, built once per hash and cached.

A Lambda layer is one (built for the function's runtime and architecture); the
rehearsal builds the same requirements for this machine, and the Lambda runtime's
own SDK. Each folder keeps what it was built from in `servey-layer.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

LAYER_MANIFEST = "servey-layer.json"


def default_cache_dir() -> Path:
    configured = os.environ.get("SERVEY_CDK_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "servey-cdk"


def host_python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def build_packages(
    requirements: Sequence[str], python_version: str, platform: str | None, cache_dir: Path | None = None
) -> Path:
    """`requirements` installed by pip under `python/` for a platform (None: this machine's)."""
    compiled = platform is None or python_version == host_python_version()
    key = json.dumps([sorted(requirements), python_version, platform, "unchecked-hash" if compiled else ""])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    layers = (cache_dir or default_cache_dir()) / "layers"
    built = layers / digest
    if built.is_dir():
        return built
    layers.mkdir(parents=True, exist_ok=True)
    # Build beside the cache entry and rename, so concurrent synths never see half a layer.
    with tempfile.TemporaryDirectory(dir=layers) as building:
        _pip_install(requirements, python_version, platform, Path(building) / "python")
        if compiled:
            compile_bytecode(Path(building) / "python", strict=False)
        manifest = {
            "requirements": list(requirements),
            "python_version": python_version,
            "platform": platform,
        }
        (Path(building) / LAYER_MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        try:
            os.rename(building, built)
        except OSError:
            if not built.is_dir():
                raise
        else:
            os.mkdir(building)  # TemporaryDirectory removes what it created
    return built


def _pip_install(
    requirements: Sequence[str], python_version: str, platform: str | None, target: Path
) -> None:
    # pip's own bytecode is checked against the sources' times: `compile_bytecode` writes it instead.
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--only-binary=:all:", "--target", str(target), *requirements,
    ]  # fmt: skip
    if platform is not None:
        command[6:6] = ["--platform", platform, "--implementation", "cp", "--python-version", python_version]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        where = f"{platform} (Python {python_version})" if platform else "this machine"
        raise RuntimeError(
            f"pip could not build the dependency layer for {where} "
            f"from {list(requirements)}:\n{completed.stderr.strip()}"
        )


def compile_bytecode(folder: Path, strict: bool = True) -> None:
    """Every module under `folder` compiled for this interpreter, hash-based and unchecked: loaded
    without a look at the sources' times, which an asset's zip does not keep exactly. The code
    names its file relative to `folder` (the import system puts the real path back), so the same
    sources make the same bytes wherever they are staged. Not `strict`, a file that does not compile
    is left as it is: wheels ship some on purpose (templates, fixtures), which pip skips too."""
    import compileall
    import py_compile

    unchecked = py_compile.PycInvalidationMode.UNCHECKED_HASH
    ok = compileall.compile_dir(folder, quiet=2, ddir="", invalidation_mode=unchecked)
    if strict and not ok:
        raise RuntimeError(f"could not compile the modules under {folder}")
