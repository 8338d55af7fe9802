"""What a `--reload` server says of code that cannot load: the file and line of the app's own code."""

from __future__ import annotations

from pathlib import Path

from local_runtime.reload import LoadFailure


def test_GIVEN_app_code_failing_in_the_standard_library_THEN_its_own_line_is_named(tmp_path: Path) -> None:
    module = tmp_path / "broken_app.py"
    module.write_text('import json\n\nSETTINGS = json.loads("{bad")\n')
    try:
        exec(compile(module.read_text(), str(module), "exec"), {})
    except ValueError as error:
        failure = LoadFailure.of(error)
    assert (failure.file, failure.line) == (str(module), 3)
    assert failure.error.startswith("JSONDecodeError: ")


def test_GIVEN_a_syntax_error_THEN_its_own_file_and_line_are_named(tmp_path: Path) -> None:
    module = tmp_path / "typo_app.py"
    module.write_text("def ok():\n    return 1\n\ndef broken(:\n")
    try:
        compile(module.read_text(), str(module), "exec")
    except SyntaxError as error:
        failure = LoadFailure.of(error)
    assert (failure.file, failure.line, failure.location) == (str(module), 4, f"{module}, line 4")
