"""One function's sandbox, laid out as Lambda lays it out, in a fresh interpreter of its own.

The path is the code asset (`/var/task`), then each layer's `python/` (`/opt/python`),
then the Lambda Python runtime's own SDK, then the standard library: nothing of this
machine's site-packages. The environment is the template's, resolved against the
local AWS, plus what Lambda sets itself. When the template's runtime or architecture
is not this machine's, a layer is rebuilt for this machine from the very requirement
list it was built from (`servey-layer.json`), and the sandbox says so.
"""

from __future__ import annotations

import json
import platform
import select
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servey_cdk.packages import LAYER_MANIFEST, build_packages, host_python_version
from servey_cdk.rehearsal import bootstrap
from servey_cdk.rehearsal.assembly import TemplateFunction, unpacked
from servey_cdk.rehearsal.local_aws import ACCOUNT_ID, CREDENTIALS, REGION

# The SDK the Lambda Python runtimes carry (AWS's "Runtime-included SDK versions"); bump with them.
RUNTIME_PACKAGES = ("boto3==1.40.4", "botocore==1.40.4")
LOG_WAIT_S = 2.0  # how long an answer waits for the rest of its log to be read
HOST_ARCHITECTURE = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"


class Timeout(Exception):
    """The function ran past its timeout; the sandbox was ended, as Lambda ends it."""


@dataclass
class Answer:
    """What an invocation gave: its result, or Lambda's error object; and what it logged."""

    result: Any = None
    error: dict[str, Any] | None = None
    log: str = ""


@dataclass
class Sandbox:
    function: TemplateFunction
    paths: list[Path]
    environment: dict[str, str]
    notes: list[str] = field(default_factory=list)  # e.g. a layer rebuilt for this machine
    log: list[str] = field(default_factory=list)  # every line the function logged, on stderr
    _process: subprocess.Popen[str] | None = None

    @classmethod
    def lay_out(
        cls, function: TemplateFunction, environment: dict[str, str], work: Path, cache: Path
    ) -> Sandbox:
        if function.code is None:
            raise ValueError(f"function {function.logical_id} has no code asset in the assembly")
        task = unpacked(function.code, work)
        notes: list[str] = []
        layers = [_host_layer(unpacked(layer, work), function, cache, notes) for layer in function.layers]
        runtime = build_packages(RUNTIME_PACKAGES, host_python_version(), None, cache) / "python"
        lambda_environment = {
            **environment,
            **CREDENTIALS,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": function.name or function.logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "LAMBDA_TASK_ROOT": str(task),
            "_HANDLER": function.handler,
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        }
        paths = [task, *layers, runtime]
        return cls(function, paths, lambda_environment, notes)

    @property
    def arn(self) -> str:
        name = self.environment["AWS_LAMBDA_FUNCTION_NAME"]
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"

    def invoke(self, event: Any) -> Answer:
        """Send one event and wait, at most the function's timeout, for its answer."""
        process = self._process or self._start()
        assert process.stdin is not None
        assert process.stdout is not None
        logged = len(self.log)
        request = {"event": event, "request_id": str(uuid.uuid4()), "function_arn": self.arn}
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], self.function.timeout)
        if not ready:
            self.stop()
            raise Timeout(f"Task timed out after {self.function.timeout} seconds")
        line = process.stdout.readline()
        if not line:
            self.stop()
            exited = {"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited"}
            return Answer(error=exited, log="".join(self.log[logged:]))
        answer = json.loads(line)
        return Answer(answer.get("result"), answer.get("error"), self._invocation_log(logged))

    def _invocation_log(self, start: int) -> str:
        """The lines logged from `start`, once the log's reader has reached the invocation's end."""
        deadline = time.monotonic() + LOG_WAIT_S
        while bootstrap.LOG_END not in self.log[start:] and time.monotonic() < deadline:
            time.sleep(0.002)
        return "".join(line for line in self.log[start:] if line != bootstrap.LOG_END)

    def stop(self) -> None:
        """End the sandbox's process, as Lambda retires a sandbox."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    def _start(self) -> subprocess.Popen[str]:
        # -B: the assets stay as synthesized (and /var/task is read-only on Lambda): no __pycache__ in them.
        command = [
            sys.executable, "-I", "-S", "-B", bootstrap.__file__, self.function.handler, *map(str, self.paths)
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment,
            cwd=str(self.paths[0]),
        )
        threading.Thread(target=_drain, args=(self._process.stderr, self.log), daemon=True).start()
        return self._process


def _drain(stream: Any, into: list[str]) -> None:
    """Keep the function's log flowing, so a chatty function never blocks on a full pipe."""
    for line in stream:
        into.append(line)


def _host_layer(layer: Path, function: TemplateFunction, cache: Path, notes: list[str]) -> Path:
    """The layer's `python/`, or the same requirements rebuilt for this machine when it targets another."""
    target = (function.runtime.removeprefix("python"), function.architecture)
    here = (host_python_version(), HOST_ARCHITECTURE)
    manifest = layer / LAYER_MANIFEST
    if target == here or not manifest.is_file():
        return layer / "python"
    requirements = json.loads(manifest.read_text(encoding="utf-8"))["requirements"]
    notes.append(
        f"layer rebuilt for this machine (Python {here[0]}, {here[1]}) from the requirements it was built "
        f"from for {function.runtime}/{function.architecture}: {', '.join(requirements)}"
    )
    return build_packages(requirements, here[0], None, cache) / "python"
