"""The code asset holds the app and nothing else; the layer adds the app's requirements to the framework's."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from constructs_lib import defaults
from constructs_lib.app import publishing_problems
from constructs_lib.packaging import AssetError, app_requirements, layer_requirements, stage_code
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import load_spec

ACTIONS = """
from servey_cdk import WEB_GET, action
from {helper} import greeting


@action(triggers=WEB_GET)
def say_hello(name: str) -> str:
    return greeting(name)
"""


@pytest.fixture
def single_module_app(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A project whose app is one module at its root, as in the README's first example, with clutter."""
    module = f"solo_{abs(hash(tmp_path)) % 10**8}"
    helper = f"{module}_text"
    (tmp_path / f"{module}.py").write_text(ACTIONS.format(helper=helper))
    (tmp_path / f"{helper}.py").write_text("def greeting(name):\n    return f'Hello {name}!'\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.j2").write_text("<p>{{ result }}</p>")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("p {}")
    (tmp_path / "local_runtime").mkdir()
    (tmp_path / "local_runtime" / "notes.py").write_text("")
    (tmp_path / "README.md").write_text("# mine")
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path, module
    sys.path.remove(str(tmp_path))
    for name in (module, helper):
        sys.modules.pop(name, None)


def test_GIVEN_a_single_module_app_THEN_it_ships_its_module_its_own_imports_and_folders_only(
    single_module_app: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root, module = single_module_app
    spec = load_spec(module)
    target = tmp_path_factory.mktemp("asset")
    staged = stage_code(Path(spec.root), spec.app_module, target, spec.shipped().to_json())
    shipped = {path.name for path in staged.iterdir()}
    assert shipped == {
        f"{module}.py", f"{module}_text.py", "templates", "static", "servey_cdk", "servey-spec.json"
    }  # fmt: skip
    text = (staged / "servey-spec.json").read_text()
    shipped_spec = json.loads(text)
    assert shipped_spec["app_module"] == module
    assert str(root) not in text  # no path of the building machine in the asset
    assert (shipped_spec["root"], shipped_spec["static"]["directory"]) == (".", "static")


@pytest.mark.parametrize(
    "secret",
    [".env", ".env.production", "server.pem", "deploy.key", "id_rsa", ".aws/credentials", "secrets.json"],
)
def test_GIVEN_a_file_that_looks_like_a_secret_THEN_the_synth_fails_naming_it(
    single_module_app: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory, secret: str
) -> None:
    root, module = single_module_app
    where = root / "static" / secret
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text("TOKEN=do-not-ship")
    spec = load_spec(module)
    target = tmp_path_factory.mktemp("asset")
    with pytest.raises(AssetError, match="look like secrets") as raised:
        stage_code(Path(spec.root), spec.app_module, target)
    assert str(root / "static" / secret.split("/")[0]) in str(raised.value)
    assert not any(target.iterdir())


def test_GIVEN_a_package_app_with_a_secret_inside_THEN_it_is_refused(write_package: Path) -> None:
    (write_package / ".env").write_text("API_KEY=x")
    with pytest.raises(AssetError, match=r"\.env"):
        stage_code(write_package, write_package.name, write_package.parent / "asset")


def test_GIVEN_servey_local_state_in_a_package_app_THEN_the_asset_leaves_it_out(write_package: Path) -> None:
    (write_package / ".servey").mkdir()
    (write_package / ".servey" / "state.sqlite3").write_bytes(b"queued messages")
    staged = stage_code(write_package, write_package.name, write_package.parent / "asset")
    assert sorted(path.name for path in (staged / "shop").iterdir()) == ["__init__.py"]


@pytest.fixture
def write_package(tmp_path: Path) -> Path:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    return package


def test_GIVEN_requirements_of_the_caller_THEN_they_add_to_the_frameworks_and_the_apps(
    write_package: Path,
) -> None:
    (write_package.parent / "requirements.txt").write_text(
        "# the app's own\nrequests>=2.31  # HTTP\n\nservey-cdk>=0.1\naws-cdk-lib>=2.170\nconstructs>=10\n"
    )
    requirements = layer_requirements(write_package, ["httpx>=0.27"], defaults.LAYER_REQUIREMENTS)
    assert requirements == (*defaults.LAYER_REQUIREMENTS, "requests>=2.31", "httpx>=0.27")
    assert "pyjwt[crypto]>=2.8,<3" in requirements


def test_GIVEN_no_requirements_file_THEN_the_pyproject_dependencies_are_the_apps(write_package: Path) -> None:
    (write_package.parent / "pyproject.toml").write_text(
        '[project]\nname = "shop"\ndependencies = ["orjson>=3", "servey-cdk[cdk]", "cdk-nag>=2"]\n'
    )
    assert app_requirements(write_package) == ["orjson>=3"]


def test_GIVEN_a_pip_option_in_the_requirements_file_THEN_the_error_names_the_line(
    write_package: Path,
) -> None:
    (write_package.parent / "requirements.txt").write_text("orjson\n--index-url https://example.invalid\n")
    with pytest.raises(AssetError, match=r"requirements.txt line 2: '--index-url"):
        app_requirements(write_package)


def test_GIVEN_the_sample_stack_THEN_its_layer_holds_the_crypto_extra_and_the_apps_own_requirements(
    synthesized: object,
) -> None:
    from tests.constructs.conftest import Synthesized

    assert isinstance(synthesized, Synthesized)
    requirements = synthesized.sample.app.parts.functions.requirements
    assert requirements[: len(defaults.LAYER_REQUIREMENTS)] == defaults.LAYER_REQUIREMENTS


def test_GIVEN_a_publisher_whose_function_is_not_wired_THEN_the_synth_fails_naming_the_action(
    spec: AppSpec,
) -> None:
    problems = publishing_problems(spec, queues=None, websocket_api=None)
    assert problems == [
        "action 'broadcast_message' publishes to 'messager', but its function 'broadcast_message' has no URL "
        "of, or grant to send to, queue 'messager-record_message'",
        "action 'broadcast_message' publishes to 'messager', but its function 'broadcast_message' may not "
        "post to the websocket connections",
    ]


def test_GIVEN_the_sample_stack_THEN_its_publisher_is_wired_to_its_queue_and_subscribers(
    synthesized: object,
) -> None:
    from tests.constructs.conftest import Synthesized

    assert isinstance(synthesized, Synthesized)
    app = synthesized.sample.app
    assert publishing_problems(synthesized.spec, app.parts.queues, app.parts.websocket) == []
