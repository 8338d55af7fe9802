"""Discovery: which module is the app, and what is found in it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from servey_cdk.discovery import Registry, app_module_name, discover
from tests.conftest import REPO_ROOT
from tests.core.conftest import AppWriter

ACTIONS_MODULE = """
from servey_cdk import WEB_GET, action

@action(triggers=WEB_GET)
def ping() -> str:
    return "pong"
"""
SUBSCRIPTIONS_MODULE = """
from servey_cdk import subscription

pings = subscription(str, "pings")
"""


def test_GIVEN_the_sample_app_THEN_its_web_actions_are_found(sample_registry: Registry) -> None:
    names = {action.name for action in sample_registry.actions}
    assert {"say_hello", "number_stats", "server_time", "echo_authorization", "only_for_root"} <= names


def test_GIVEN_the_sample_app_THEN_the_nested_actions_are_found_with_their_owner(
    sample_registry: Registry,
) -> None:
    from sample_app.numbers import NumberStats

    assert sample_registry.action("factorial").fn is NumberStats.factorial
    assert sample_registry.owners == {"factorial": NumberStats, "prime_factors": NumberStats}


def test_GIVEN_the_sample_app_THEN_the_three_generated_actions_are_found(sample_registry: Registry) -> None:
    generated = [action.name for action in sample_registry.actions if action.is_generated]
    assert sorted(generated) == ["generated_1", "generated_2", "generated_3"]


def test_GIVEN_the_sample_app_THEN_the_subscription_and_middleware_are_found(
    sample_registry: Registry,
) -> None:
    from sample_app.timing import timed

    assert [item.name for item in sample_registry.subscriptions] == ["messager"]
    assert sample_registry.middlewares == (timed,)


def test_GIVEN_the_sample_app_THEN_its_root_is_the_package_folder(sample_registry: Registry) -> None:
    assert sample_registry.root == REPO_ROOT / "sample_app"


def test_GIVEN_an_action_imported_into_several_modules_THEN_it_is_found_once(
    sample_registry: Registry,
) -> None:
    # sample_app.pages imports list_items from sample_app.items
    names = [action.name for action in sample_registry.actions]
    assert names.count("list_items") == 1
    assert len(names) == len(set(names))


def test_GIVEN_an_app_argument_THEN_it_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVEY_ACTION_PATH", "from_env")
    assert app_module_name("from_argument") == "from_argument"


def test_GIVEN_no_app_argument_THEN_the_environment_names_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVEY_ACTION_PATH", "from_env")
    assert app_module_name() == "from_env"


def test_GIVEN_neither_argument_nor_environment_THEN_the_app_is_actions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SERVEY_ACTION_PATH", raising=False)
    assert app_module_name() == "actions"


def test_GIVEN_servey_action_path_WHEN_discovering_THEN_that_app_is_loaded(
    monkeypatch: pytest.MonkeyPatch, write_app: AppWriter
) -> None:
    package = write_app({"things.py": ACTIONS_MODULE})
    monkeypatch.setenv("SERVEY_ACTION_PATH", package)

    registry = discover()

    assert registry.module == package
    assert [action.name for action in registry.actions] == ["ping"]


@pytest.fixture
def plain_actions_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding `actions.py` and `subscriptions.py`, as the working directory."""
    (tmp_path / "actions.py").write_text(ACTIONS_MODULE)
    (tmp_path / "subscriptions.py").write_text(SUBSCRIPTIONS_MODULE)
    monkeypatch.delenv("SERVEY_ACTION_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("actions", "subscriptions"):
        sys.modules.pop(name, None)


def test_GIVEN_an_actions_module_in_the_working_directory_WHEN_discovering_THEN_it_is_the_app(
    plain_actions_module: Path,
) -> None:
    registry = discover()

    assert registry.module == "actions"
    assert [action.name for action in registry.actions] == ["ping"]
    assert registry.root == plain_actions_module


def test_GIVEN_a_subscriptions_module_beside_the_app_WHEN_discovering_THEN_its_subscriptions_are_found(
    plain_actions_module: Path,
) -> None:
    assert [item.name for item in discover().subscriptions] == ["pings"]


def test_GIVEN_a_package_WHEN_discovering_THEN_every_submodule_is_scanned(write_app: AppWriter) -> None:
    package = write_app(
        {
            "first.py": "from servey_cdk import action\n\n@action\ndef one() -> int:\n    return 1\n",
            "deep/__init__.py": "",
            "deep/second.py": "from servey_cdk import action\n\n@action\ndef two() -> int:\n    return 2\n",
        }
    )

    registry = discover(package)

    assert sorted(action.name for action in registry.actions) == ["one", "two"]


def test_GIVEN_a_package_with_a_subscriptions_module_THEN_its_subscriptions_are_found(
    write_app: AppWriter,
) -> None:
    package = write_app({"things.py": ACTIONS_MODULE, "subscriptions.py": SUBSCRIPTIONS_MODULE})

    assert [item.name for item in discover(package).subscriptions] == ["pings"]


def test_GIVEN_a_missing_app_module_WHEN_discovering_THEN_the_error_names_it() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"'no_such_app_module'.*SERVEY_ACTION_PATH"):
        discover("no_such_app_module")


def test_GIVEN_an_app_that_imports_a_missing_dependency_THEN_the_error_names_the_dependency(
    write_app: AppWriter,
) -> None:
    package = write_app({"things.py": "import tmp_app_dependency_nowhere\n"})

    with pytest.raises(ModuleNotFoundError) as raised:
        discover(package)

    assert raised.value.name == "tmp_app_dependency_nowhere"


def test_GIVEN_an_app_whose_missing_dependency_prefixes_its_name_THEN_the_dependency_is_named(
    write_app: AppWriter,
) -> None:
    package = write_app({})
    missing = package[:-2]  # a prefix of the app's name, yet the dependency is what is missing
    write_app({"__init__.py": f"import {missing}\n"})

    with pytest.raises(ModuleNotFoundError) as raised:
        discover(package)

    assert raised.value.name == missing
    assert "was not found (set --app" not in str(raised.value)


TREE_MODULE = """
from dataclasses import dataclass
from typing import ForwardRef, List

from servey_cdk import WEB_GET, action


@dataclass
class Node:
    name: str
    children: List[ForwardRef(f"{__name__}.Node")]  # as servey apps write a self-reference


@action(triggers=WEB_GET)
def tree() -> Node:
    return Node("root", [Node("leaf", [])])
"""


@pytest.mark.parametrize("future", ["", "from __future__ import annotations\n"])
def test_GIVEN_a_forward_reference_qualified_by_its_module_WHEN_discovered_THEN_it_validates_and_has_schemas(
    write_app: AppWriter, future: str
) -> None:
    from servey_cdk.appspec_builder import build_spec
    from servey_cdk.openapi import openapi_document

    package = write_app({"trees.py": future + TREE_MODULE})
    registry = discover(package)
    runner = registry.runner("tree")
    result = runner.invoke({}, authorization=None, source="test", request_id="r")
    assert runner.dump(result) == {"name": "root", "children": [{"name": "leaf", "children": []}]}
    spec = build_spec(registry)
    assert spec.graphql is not None
    assert "children: [Node!]!" in spec.graphql.sdl
    node = openapi_document(spec)["components"]["schemas"]["Node"]
    assert node["properties"]["children"]["type"] == "array"
