"""Fixtures of the core tests: the sample app's spec, and throw-away apps written to a temporary folder."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec
from tests.conftest import SAMPLE_APP


@pytest.fixture(scope="session")
def sample_spec() -> AppSpec:
    return load_spec(SAMPLE_APP)


AppWriter = Callable[[dict[str, str]], str]


@pytest.fixture
def write_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppWriter]:
    """Write a throw-away package (relative path → source) and return its module name.

    The package gets a name unique to the test; it is importable for the test only and
    is removed from `sys.modules` afterwards.
    """
    package = f"tmp_app_{abs(hash(tmp_path)) % 10**8}"
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(files: dict[str, str]) -> str:
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
        for relative, source in files.items():
            path = tmp_path / package / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        return package

    yield write
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]
