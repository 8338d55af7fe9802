"""`servey init DIR`: a new project, with an action, its CDK app and its tests, ready to serve.

The project is rendered from the templates in `project/` with `string.Template`: `$package`
is the app's package (DIR's name as a Python identifier), `$stack` its stack's name. In a path,
`_package_` becomes the package's name, a leading `dot-` a dot (package data keeps no dotfiles)
and the `.tmpl` suffix goes.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

TEMPLATES = "project"
SUFFIX = ".tmpl"


class ScaffoldError(ValueError):
    """The project cannot be made where it was asked for; names the folder."""


def init_project(folder: Path) -> list[Path]:
    """Render the project into `folder` (absent or empty); returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} is not an empty folder: servey init makes a project in a new one")
    package = package_name(folder.resolve().name)
    values = {"package": package, "stack": "".join(part.title() for part in package.split("_")) or "App"}
    written = []
    for relative, template in _templates(resources.files(__package__) / TEMPLATES, ()):
        target = folder.joinpath(*(_target_name(part, package) for part in relative))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(template.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
        written.append(target)
    return written


def package_name(folder_name: str) -> str:
    """The folder's name as a Python package's: `my-app` → `my_app`, `2048` → `app_2048`."""
    name = re.sub(r"\W+", "_", folder_name.lower()).strip("_") or "app"
    return f"app_{name}" if name[0].isdigit() else name


def _templates(folder: Traversable, relative: tuple[str, ...]) -> list[tuple[tuple[str, ...], Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.is_dir():
            found += _templates(entry, (*relative, entry.name))
        elif entry.name.endswith(SUFFIX):
            found.append(((*relative, entry.name), entry))
    return found


def _target_name(part: str, package: str) -> str:
    part = part.removesuffix(SUFFIX).replace("_package_", package)
    return "." + part.removeprefix("dot-") if part.startswith("dot-") else part
