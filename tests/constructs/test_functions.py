"""ServeyFunctions: one Lambda per FunctionSpec, with its logs, code asset and dependency layer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from constructs_lib import PropsError, ServeyFunctions
from constructs_lib.defaults import HANDLER
from constructs_lib.packaging import build_layer, stage_code
from servey_cdk.appspec import AppSpec
from tests.constructs.template_queries import Resources, app_function, of_type


def test_GIVEN_the_sample_stack_THEN_each_function_spec_becomes_one_lambda_with_the_servey_handler(
    resources: Resources, spec: AppSpec
) -> None:
    """GIVEN the sample app WHEN synthesized THEN its functions, authorizer and websocket function exist."""
    handlers = [
        value for value in of_type(resources, "AWS::Lambda::Function").values()
        if value["Properties"].get("Handler") == HANDLER
    ]  # fmt: skip
    assert len(handlers) == len(spec.functions)


def test_GIVEN_the_sample_stack_THEN_a_function_takes_runtime_timeout_memory_and_environment_from_its_spec(
    resources: Resources, spec: AppSpec
) -> None:
    function_spec = next(item for item in spec.functions if item.name == "say_hello")
    _, properties = app_function(resources, "say_hello")
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Timeout"] == function_spec.timeout
    assert properties["MemorySize"] == function_spec.memory
    assert properties["Environment"]["Variables"]["SERVEY_FUNCTION"] == "say_hello"
    assert properties["Environment"]["Variables"]["SERVEY_ACTION_PATH"] == "sample_app"


def test_GIVEN_the_sample_stack_THEN_the_router_and_the_authorizer_are_function_specs_like_any_other(
    resources: Resources, spec: AppSpec
) -> None:
    for name in ("router", "graphql-authorizer", "websocket"):
        function_spec = spec.function(name)
        _, properties = app_function(resources, name)
        assert properties["Environment"]["Variables"]["SERVEY_FUNCTION"] == name
        assert properties["Timeout"] == function_spec.timeout
        assert properties["MemorySize"] == function_spec.memory


def test_GIVEN_the_sample_stack_THEN_each_function_logs_to_its_own_group_with_a_retention(
    resources: Resources,
) -> None:
    _, properties = app_function(resources, "say_hello")
    group = resources[properties["LoggingConfig"]["LogGroup"]["Ref"]]
    assert group["Properties"]["RetentionInDays"] == 30


def test_GIVEN_the_sample_stack_THEN_functions_share_one_dependency_layer(
    resources: Resources, spec: AppSpec
) -> None:
    layers = of_type(resources, "AWS::Lambda::LayerVersion")
    (layer,) = (
        name for name, value in layers.items() if "dependencies" in value["Properties"]["Description"]
    )
    for item in spec.functions:
        assert app_function(resources, item.name)[1]["Layers"] == [{"Ref": layer}]


def test_GIVEN_the_sample_stack_THEN_failed_asynchronous_invocations_go_to_a_dead_letter_queue(
    resources: Resources,
) -> None:
    _, properties = app_function(resources, "tick")
    assert "TargetArn" in properties["DeadLetterConfig"]


def test_GIVEN_the_sample_app_THEN_its_asset_holds_it_and_servey_cdk_not_tests_caches_or_infrastructure(
    spec: AppSpec, tmp_path: Path
) -> None:
    staged = stage_code(Path(spec.root), spec.app_module, tmp_path / "code")
    assert (staged / "sample_app" / "greetings.py").is_file()
    assert (staged / "servey_cdk" / "appspec.py").is_file()
    assert not (staged / "sample_app" / "infrastructure").exists()
    assert not list(staged.rglob("__pycache__"))


def test_GIVEN_the_sessions_layer_THEN_it_is_built_by_pip_for_the_lambda_platform(
    layer_cache_dir: Path,
) -> None:
    """GIVEN the session's layer, built by the real pip THEN the wheels are unpacked under python/."""
    layer = build_layer(("pyjwt>=2.8,<3",), "3.14", "arm64", layer_cache_dir)
    assert (layer / "python" / "jwt" / "__init__.py").is_file()
    assert list((layer / "python").glob("pyjwt-*.dist-info"))


def _unchecked_bytecode(folder: Path) -> dict[str, bytes]:
    """Each module's bytecode of this interpreter under `folder`, by module path; each must be
    hash-based and unchecked (flags 0b01), as Lambda loads it without a look at the sources' times."""
    tag = sys.implementation.cache_tag
    found = {}
    for source in folder.rglob("*.py"):
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert compiled.is_file(), f"no bytecode for {source.relative_to(folder)}"
        data = compiled.read_bytes()
        assert int.from_bytes(data[4:8], "little") == 0b01, f"{compiled.name} is not unchecked-hash"
        found[str(source.relative_to(folder))] = data
    return found


def test_GIVEN_a_layer_for_this_interpreters_python_THEN_it_carries_unchecked_bytecode(
    layer_cache_dir: Path,
) -> None:
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    layer = build_layer(("pyjwt>=2.8,<3",), host, "arm64", layer_cache_dir)
    assert "jwt/__init__.py" in _unchecked_bytecode(layer / "python")


def test_GIVEN_a_layer_for_another_python_THEN_it_carries_no_bytecode(layer_cache_dir: Path) -> None:
    other = "3.14" if sys.version_info[:2] != (3, 14) else "3.13"
    layer = build_layer(("pyjwt>=2.8,<3",), other, "arm64", layer_cache_dir)
    assert not list((layer / "python").rglob("*.pyc"))


def test_GIVEN_a_runtime_of_this_interpreters_python_THEN_the_code_asset_is_compiled_the_same_each_time(
    spec: AppSpec, tmp_path: Path
) -> None:
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    first = _unchecked_bytecode(stage_code(Path(spec.root), spec.app_module, tmp_path / "a", None, host))
    again = _unchecked_bytecode(stage_code(Path(spec.root), spec.app_module, tmp_path / "b", None, host))
    assert "servey_cdk/aws/handler.py" in first
    assert first == again  # the same sources, the same bytes: the asset's hash holds
    other = stage_code(Path(spec.root), spec.app_module, tmp_path / "c", None, "3.0")
    assert not list(other.rglob("*.pyc"))


def test_GIVEN_a_layer_already_built_for_the_same_requirements_THEN_it_is_reused(
    layer_cache_dir: Path,
) -> None:
    first = build_layer(("pyjwt>=2.8,<3",), "3.14", "arm64", layer_cache_dir)
    (first / "marker").write_text("kept")
    again = build_layer(("pyjwt>=2.8,<3",), "3.14", "arm64", layer_cache_dir)
    assert again == first
    assert (again / "marker").read_text() == "kept"


def test_GIVEN_a_failing_pip_THEN_the_error_names_the_platform_and_requirements(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"manylinux2014_x86_64.*no-such-package-servey"):
        build_layer(("no-such-package-servey==0.0.0",), "3.14", "x86_64", tmp_path)


def test_GIVEN_props_overriding_what_the_spec_sets_THEN_they_are_reported_all_at_once(
    fresh_app: object, spec: AppSpec
) -> None:
    import aws_cdk as cdk

    assert isinstance(fresh_app, cdk.App)
    stack = cdk.Stack(fresh_app, "Conflicts")
    with pytest.raises(PropsError) as raised:
        ServeyFunctions(stack, "Functions", spec=spec, function_props={"handler": "x.y", "memory_size": 1024})
    assert len(raised.value.problems) == 2
    assert "function_props['handler']" in str(raised.value)
    assert "function_props['memory_size']" in str(raised.value)


def test_GIVEN_a_module_that_does_not_compile_THEN_a_layer_keeps_it_and_an_asset_refuses(
    tmp_path: Path,
) -> None:
    from servey_cdk.packages import compile_bytecode

    (tmp_path / "fine.py").write_text("VALUE = 1\n")
    (tmp_path / "template.py").write_text("def {{ name }}(:\n")  # a template, as some wheels ship
    compile_bytecode(tmp_path, strict=False)
    assert list((tmp_path / "__pycache__").glob("fine.*.pyc"))
    with pytest.raises(RuntimeError, match="could not compile"):
        compile_bytecode(tmp_path)
