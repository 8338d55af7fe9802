"""The `servey` command line, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path

import graphql
import pytest
from openapi_spec_validator import validate

from servey_cdk.graphql_schema import APPSYNC_SCALARS
from tests.conftest import REPO_ROOT


def servey(*args: str, cwd: Path = REPO_ROOT, python_path: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), python_path]))}
    env.pop("SERVEY_ACTION_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "servey_cdk", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def sample(*args: str) -> subprocess.CompletedProcess[str]:
    return servey("--app", "sample_app", *args)


@cache
def printed(command: str) -> subprocess.CompletedProcess[str]:
    """A document command's run, shared by the tests that read its output."""
    return sample(command)


def test_GIVEN_list_THEN_every_action_is_printed_with_its_triggers() -> None:
    done = sample("list")

    assert done.returncode == 0
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert {"say_hello", "factorial", "generated_1", "tick"} <= set(lines)
    assert "WebTrigger(method='GET', status=200)" in lines["say_hello"]


def test_GIVEN_run_with_params_THEN_the_result_is_printed_as_json() -> None:
    done = sample("run", "say_hello", "--params", '{"name": "World"}')

    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == "Hello World!"


def test_GIVEN_run_with_bad_params_THEN_the_422_text_goes_to_stderr_and_exit_1() -> None:
    done = sample("run", "say_hello", "--params", '{"nom": "World"}')

    assert done.returncode == 1
    assert done.stdout == ""
    assert "422" in done.stderr
    assert "invalid parameters for action 'say_hello': name: Field required" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("params", ["{not json", "[1, 2]"])
def test_GIVEN_params_that_are_not_a_json_object_THEN_an_error_and_no_traceback(params: str) -> None:
    done = sample("run", "say_hello", "--params", params)

    assert done.returncode != 0
    assert "--params" in done.stderr
    assert "Traceback" not in done.stderr


def test_GIVEN_an_unknown_action_THEN_exit_1_naming_it() -> None:
    done = sample("run", "no_such_action")

    assert done.returncode == 1
    assert "'no_such_action'" in done.stderr
    assert "Traceback" not in done.stderr


def test_GIVEN_an_action_that_fails_THEN_exit_1_with_the_cause_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "failing_app.py").write_text(
        "from servey_cdk import action\n\n@action\ndef boom() -> int:\n    return 1 // 0\n"
    )

    done = servey("--app", "failing_app", "run", "boom", cwd=tmp_path)

    assert done.returncode == 1
    assert "'boom' failed" in done.stderr
    assert "ZeroDivisionError" in done.stderr
    assert "Traceback" not in done.stderr


def test_GIVEN_a_missing_app_THEN_exit_1_naming_it() -> None:
    done = servey("--app", "no_such_app_module", "list")

    assert done.returncode == 1
    assert "'no_such_app_module'" in done.stderr
    assert "Traceback" not in done.stderr


def test_GIVEN_openapi_THEN_a_valid_document_is_printed() -> None:
    done = printed("openapi")

    assert done.returncode == 0
    validate(json.loads(done.stdout))


def test_GIVEN_graphql_schema_THEN_sdl_that_parses_with_appsync_scalars_is_printed() -> None:
    done = printed("graphql-schema")

    assert done.returncode == 0
    declarations = "".join(f"scalar {name}\n" for name in APPSYNC_SCALARS)
    schema = graphql.build_schema(declarations + done.stdout)
    assert schema.query_type is not None
    assert "say_hello" in schema.query_type.fields


def test_GIVEN_asyncapi_THEN_the_document_is_printed() -> None:
    done = printed("asyncapi")

    assert done.returncode == 0
    assert "event_messager" in json.loads(done.stdout)["components"]["messages"]


def test_GIVEN_spec_THEN_the_app_spec_is_printed_as_json() -> None:
    done = printed("spec")

    assert done.returncode == 0
    spec = json.loads(done.stdout)
    assert spec["app_module"] == "sample_app"
    assert any(route["path"] == "/actions/say-hello" for route in spec["routes"])


@pytest.mark.parametrize("command", ["openapi", "graphql-schema", "asyncapi", "spec"])
def test_GIVEN_an_output_file_THEN_the_document_is_written_there_and_not_printed(
    command: str, tmp_path: Path
) -> None:
    target = tmp_path / "document.out"

    done = sample(command, "-o", str(target))

    assert (done.returncode, done.stdout) == (0, "")
    assert target.read_text() == printed(command).stdout


def test_GIVEN_an_app_with_definition_errors_THEN_exit_1_listing_every_problem(tmp_path: Path) -> None:
    (tmp_path / "broken_app.py").write_text(
        "from servey_cdk import FixedRateTrigger, action\n\n"
        "@action(name='same', triggers=FixedRateTrigger(90))\ndef first() -> None: ...\n\n"
        "@action(name='same')\ndef second() -> None: ...\n"
    )

    done = servey("--app", "broken_app", "spec", cwd=tmp_path)

    assert done.returncode == 1
    assert "cannot be deployed" in done.stderr
    assert "- action 'same': the name is used by both" in done.stderr
    assert "- action 'same' schedule: a rate of 90 seconds" in done.stderr
    assert "Traceback" not in done.stderr


def test_GIVEN_no_command_THEN_usage_and_a_nonzero_exit() -> None:
    done = servey()

    assert done.returncode != 0
    assert "usage: servey" in done.stderr


@pytest.mark.skipif(shutil.which("servey") is None, reason="the servey console script is not installed")
def test_GIVEN_the_console_script_THEN_it_runs_like_the_module() -> None:
    done = subprocess.run(
        ["servey", "--app", "sample_app", "run", "say_hello", "--params", '{"name": "World"}'],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0
    assert json.loads(done.stdout) == "Hello World!"


def test_GIVEN_app_after_the_command_THEN_it_is_used() -> None:
    done = servey("list", "--app", "sample_app")

    assert (done.returncode, done.stderr) == (0, "")
    assert "say_hello" in done.stdout


def test_GIVEN_app_before_and_after_the_command_THEN_the_one_after_wins() -> None:
    command = ["run", "say_hello", "--app", "sample_app", "--params", '{"name": "A"}']
    done = servey("--app", "no_such_app", *command)

    assert json.loads(done.stdout) == "Hello A!"


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["run", "say_hello", "--params", '{"name": "A"}'],
        ["openapi"],
        ["graphql-schema"],
        ["asyncapi"],
        ["spec"],
    ],
)
def test_GIVEN_app_after_any_command_THEN_it_is_used(command: list[str]) -> None:
    done = servey(*command, "--app", "sample_app")

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout


@pytest.mark.parametrize(
    ("command", "source"), [(["rehearse"], "the assembly"), (["init", "new-project"], "DIR")]
)
@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_GIVEN_app_with_a_command_that_takes_none_THEN_it_is_refused_naming_where_the_app_comes_from(
    command: list[str], source: str, before: bool
) -> None:
    arguments = ["--app", "sample_app", *command] if before else [*command, "--app", "sample_app"]
    done = servey(*arguments)

    assert done.returncode == 2
    assert f"--app is not taken here: the app comes from {source}" in done.stderr


@pytest.mark.parametrize("command", ["list", "openapi"])
def test_GIVEN_output_piped_into_head_THEN_the_pipeline_succeeds_quietly(command: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    pipeline = f"set -o pipefail; {sys.executable} -m servey_cdk --app sample_app {command} | head -1"
    done = subprocess.run(["bash", "-c", pipeline], cwd=REPO_ROOT, env=env, capture_output=True, text=True)

    assert (done.returncode, done.stderr) == (0, "")
    assert len(done.stdout.splitlines()) == 1


def test_GIVEN_ctrl_c_during_a_run_THEN_exit_130_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "slow_app.py").write_text(
        "import time\nfrom servey_cdk import action\n\n"
        "@action\ndef slow() -> int:\n    print('started', flush=True)\n    time.sleep(60)\n    return 1\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "servey_cdk", "--app", "slow_app", "run", "slow"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as running:
        assert running.stdout is not None
        assert running.stdout.readline() == b"started\n"
        running.send_signal(signal.SIGINT)
        _, stderr = running.communicate(timeout=30)

    assert running.returncode == 130
    assert b"Traceback" not in stderr


def test_GIVEN_a_reader_that_stops_early_THEN_no_traceback() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    # `true` reads nothing and is gone before the listing is written: the writer meets a closed pipe.
    command = f"{sys.executable} -m servey_cdk --app sample_app list | true"
    done = subprocess.run(command, shell=True, cwd=REPO_ROOT, env=env, capture_output=True, text=True)

    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr


def test_GIVEN_run_without_a_caller_THEN_a_protected_action_is_refused() -> None:
    done = sample("run", "only_for_root")

    assert done.returncode == 1
    assert "401" in done.stderr
    assert "--token TOKEN, or --as USER --scopes" in done.stderr


def test_GIVEN_run_as_a_user_with_the_scope_THEN_the_protected_action_runs() -> None:
    done = sample("run", "only_for_root", "--as", "dev", "--scopes", "root")

    assert (done.returncode, json.loads(done.stdout)) == (0, "Some Secret Data!")


def test_GIVEN_run_as_a_user_without_the_scope_THEN_403() -> None:
    done = sample("run", "echo_authorization", "--as", "dev", "--scopes", "reader")
    refused = sample("run", "only_for_root", "--as", "dev")

    assert json.loads(done.stdout)["subject_id"] == "dev"
    assert json.loads(done.stdout)["scopes"] == ["reader"]
    assert (refused.returncode, "403" in refused.stderr) == (1, True)


def test_GIVEN_run_as_a_user_with_comma_separated_scopes_THEN_a_minted_token_carries_them() -> None:
    done = sample("run", "echo_authorization", "--as", "dev", "--scopes", "root,items:write")

    caller = json.loads(done.stdout)
    assert (caller["subject_id"], sorted(caller["scopes"])) == ("dev", ["items:write", "root"])
    assert caller["expire_at"] is not None  # the token's expiry: the caller came from a verified token


def test_GIVEN_run_with_a_token_THEN_its_holder_is_the_caller() -> None:
    from servey_cdk.tokens import TokenSettings, issue_token

    key = "cli-test-key-of-sufficient-length-for-hs256"
    token = issue_token(TokenSettings(key=key), "token-holder", {"root"})
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "JWT_SECRET_KEY": key}
    command = [sys.executable, "-m", "servey_cdk", "--app", "sample_app", "run", "echo_authorization"]
    done = subprocess.run([*command, "--token", token], env=env, capture_output=True, text=True)
    forged = subprocess.run([*command, "--token", token + "x"], env=env, capture_output=True, text=True)

    assert json.loads(done.stdout)["subject_id"] == "token-holder"
    assert (forged.returncode, "401" in forged.stderr) == (1, True)


def test_GIVEN_scopes_without_as_THEN_usage_error() -> None:
    assert sample("run", "only_for_root", "--scopes", "root").returncode == 2


@pytest.mark.parametrize(
    "command", [["list"], ["run", "same"], ["spec"], ["openapi"], ["graphql-schema"], ["asyncapi"]]
)
def test_GIVEN_two_actions_of_one_name_THEN_every_command_refuses_naming_both(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "twice_app.py").write_text(
        "from servey_cdk import action\n\n"
        "@action(name='same')\ndef first() -> int:\n    return 1\n\n"
        "@action(name='same')\ndef second() -> int:\n    return 2\n"
    )

    done = servey("--app", "twice_app", *command, cwd=tmp_path)

    assert (done.returncode, done.stdout) == (1, "")
    assert "action 'same': the name is used by both twice_app.first and twice_app.second" in done.stderr


def test_GIVEN_a_mistyped_app_or_action_THEN_the_error_suggests_the_name() -> None:
    module = servey("--app", "sampl_app", "list")
    action = sample("run", "say_helo")

    assert "did you mean 'sample_app'?" in module.stderr
    assert str(REPO_ROOT) in module.stderr  # the folder it searched
    assert "did you mean 'say_hello'?" in action.stderr


def test_GIVEN_a_publishing_action_THEN_run_shows_what_it_published() -> None:
    caller = ["--as", "dev", "--scopes", "root messages:send"]
    done = sample("run", "broadcast_message", "--params", '{"message": "hi all"}', *caller)

    assert (done.returncode, json.loads(done.stdout)) == (0, True)
    assert 'published to messager: "hi all"' in done.stderr


def test_GIVEN_an_action_putting_an_event_WHEN_run_THEN_the_entry_is_shown_not_sent() -> None:
    params = '{"order_id": 7, "total": 9.5}'
    done = servey("--app", "tests.eventbridge.shop_app", "run", "place_order", "--params", params)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '"recorded-1"'
    assert 'put on bus shop: Order Placed from shop.orders: {"order_id":7,"total":9.5}' in done.stderr


def test_GIVEN_an_action_putting_to_a_bus_it_does_not_declare_WHEN_run_THEN_it_is_refused_as_on_aws() -> None:
    done = servey("--app", "tests.eventbridge.shop_app", "run", "sneak_order", "--params", '{"order_id": 7}')
    assert done.returncode != 0
    assert "action 'sneak_order' may not put events to bus 'shop'" in done.stderr
    assert "put on bus" not in done.stderr
