"""`servey-local` started as a developer starts it, on a free port, for the tests that need a real server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

import httpx

from local_runtime.queue_store import STATE_VARIABLE
from servey_cdk.rehearsal.local_aws import free_port
from tests.conftest import REPO_ROOT

START_TIMEOUT_S = 60


@contextlib.contextmanager
def servey_local(
    arguments: Sequence[str],
    environment: Mapping[str, str] | None = None,
    output: int | IO[bytes] = subprocess.DEVNULL,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`servey-local ARGUMENTS --port P`: its base URL and process, once it answers.

    What it prints goes to `output`, with its errors. Its queue state is a file of its
    own unless `environment` names one, so that servers started at once share no queues.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="servey-state-") as state:
        own_state = {STATE_VARIABLE: os.path.join(state, "state.sqlite3")}
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **own_state, **(environment or {})}
        command = [sys.executable, "-c", "from local_runtime.cli import main; main()", *arguments]
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_it_answers(f"{base}/openapi.json", process)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_until_it_answers(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, f"{process.args!r} exited"
        assert time.monotonic() < deadline, f"{url} did not answer in {START_TIMEOUT_S} s"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
