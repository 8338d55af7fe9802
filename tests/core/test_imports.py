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


def _loaded_after(code: str) -> set[str]:
    """The servey_cdk modules a fresh interpreter has loaded once `code` has run."""
    probe = f"{code}\nimport sys; print(' '.join(m for m in sys.modules if m.startswith('servey_cdk')))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_GIVEN_an_app_of_web_triggers_WHEN_imported_THEN_no_other_trigger_kind_or_feature_loads() -> None:
    loaded = _loaded_after("from servey_cdk import WEB_GET, WebTrigger, action")

    assert "servey_cdk.triggers.web" in loaded
    unused = {"triggers.schedule", "triggers.events", "triggers.s3", "triggers.stream", "triggers.queue"}
    unused |= {
        "event_bus",
        "pages",
        "matchers",
        "idempotency",
        "resources",
        "authenticator",
        "graphql_settings",
    }
    assert not {f"servey_cdk.{name}" for name in unused} & loaded


def test_GIVEN_the_package_WHEN_each_exported_name_is_asked_for_THEN_it_is_its_module_s_own() -> None:
    import importlib

    import servey_cdk
    from servey_cdk import triggers

    for name in servey_cdk.__all__:
        home = importlib.import_module(servey_cdk._HOME_OF[name])
        assert getattr(servey_cdk, name) is getattr(home, name), name
    assert set(triggers.__all__) <= set(servey_cdk.__all__)
    kinds = {kind.__name__ for kind in triggers.Trigger.__args__}
    assert {"EventTrigger", "WebTrigger", "WebPageTrigger", "TableStreamTrigger", "S3Trigger"} <= kinds


def test_GIVEN_a_submodule_named_as_a_function_WHEN_imported_first_THEN_the_package_gives_the_function() -> (
    None
):
    loaded = _loaded_after(
        "import servey_cdk.action, servey_cdk.middleware\n"
        "import servey_cdk, types\n"
        "assert not any(isinstance(getattr(servey_cdk, n), types.ModuleType)"
        " for n in ('action', 'middleware'))\n"
        "from servey_cdk import *\n"
        "assert callable(action) and WebTrigger and Table and put_event"
    )

    assert "servey_cdk.event_bus" in loaded  # the star import asked for every name
