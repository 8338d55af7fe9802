"""Requests per second of a GET action on servey-local, beside bare Starlette and `chalice local`.

Each server serves GET /actions/say-hello?name=World from one process pinned to one
core, while the load generator (wrk, installed with apt-get when missing) runs on the
other; rounds interleave the servers and the best round of each counts. The bare
Starlette app does the same work as the action, as an idiomatic Starlette app would: a
sync endpoint (run in Starlette's thread pool) reads and checks the parameter, calls
the function and writes JSON. servey-local turns each request into an API Gateway
event for the app's Lambda handler, which validates, calls and serializes. Also
reported: servey-local's start-up time for the sample app.

    python benchmarks/local_rps.py [--seconds 3] [--rounds 3] [--connections 16]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
PATH = "/actions/say-hello?name=World"
EXPECTED = b"Hello World!"
TARGETS = {
    "bare Starlette": 0.8,
    "chalice local": 20.0,
}  # servey-local's rps must be at least this many times

BARE_STARLETTE = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from sample_app.greetings import say_hello


def greet(request):
    name = request.query_params.get("name")
    if name is None:
        return JSONResponse({"error": "invalid_input", "detail": "name is required"}, status_code=422)
    return JSONResponse(say_hello(name))


app = Starlette(routes=[Route("/actions/say-hello", greet)])
"""
CHALICE_APP = """
from chalice import Chalice

app = Chalice(app_name="hello")


@app.route("/actions/say-hello")
def say_hello():
    name = (app.current_request.query_params or {}).get("name")
    return f"Hello {name}!"
"""
CHALICE_CONFIG = '{"version": "2.0", "app_name": "hello", "stages": {"dev": {"api_gateway_stage": "api"}}}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], core: int) -> list[str]:
    return ["taskset", "-c", str(core), *command] if shutil.which("taskset") and os.cpu_count() else command


@contextmanager
def serving(command: list[str], cwd: Path, url: str, env: dict[str, str] | None = None) -> Iterator[float]:
    """Run a server until the block ends; yields the seconds it took to answer its first request."""
    started = time.perf_counter()
    process = subprocess.Popen(
        pinned(command, 0),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            try:
                response = httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.02)
        startup = time.perf_counter() - started
        if response.status_code != 200 or EXPECTED not in response.content:
            raise RuntimeError(f"{url} answered {response.status_code} {response.content[:200]!r}")
        yield startup
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk() -> str | None:
    if shutil.which("wrk") is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, timeout=600)
    return shutil.which("wrk")


def requests_per_second(url: str, seconds: int, connections: int, script: Path | None = None) -> float:
    """wrk's rate for `url` after a second's warm-up; `script` is a wrk Lua script (a POST's, say)."""
    tool = wrk()
    if tool is None:
        if script is not None:
            raise SystemExit("this benchmark needs wrk (apt-get install wrk)")
        return python_load(url, seconds, connections)
    scripted = ["-s", str(script)] if script else []
    run = [tool, "-t1", f"-c{connections}", f"-d{seconds}s", *scripted, url]
    warm_up = [tool, "-t1", f"-c{connections}", "-d1s", *scripted, url]
    subprocess.run(pinned(warm_up, 1), capture_output=True, check=True)
    output = subprocess.run(pinned(run, 1), capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"no rate in wrk's output:\n{output}")
    return float(match.group(1))


def python_load(url: str, seconds: int, connections: int) -> float:
    """A fallback load generator: slower than wrk, so figures are lower bounds."""
    import asyncio

    print("note: wrk is not available; using a Python load generator (lower figures)", file=sys.stderr)

    async def worker(client: httpx.AsyncClient, deadline: float) -> int:
        count = 0
        while time.perf_counter() < deadline:
            (await client.get(url)).raise_for_status()
            count += 1
        return count

    async def load() -> float:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
            deadline = time.perf_counter() + seconds
            counts = await asyncio.gather(*(worker(client, deadline) for _ in range(connections)))
        return sum(counts) / seconds

    return asyncio.run(load())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best one counts")
    args = parser.parse_args(argv)
    python = sys.executable
    uvicorn_flags = ["--no-access-log", "--log-level", "warning"]
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "bare_app.py").write_text(BARE_STARLETTE)
        (work / "chalice_app" / ".chalice").mkdir(parents=True)
        (work / "chalice_app" / "app.py").write_text(CHALICE_APP)
        (work / "chalice_app" / ".chalice" / "config.json").write_text(CHALICE_CONFIG)
        path_env = {"PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{work}"}

        port = free_port()
        cli = [
            python,
            "-c",
            "from local_runtime.cli import main; main()",
            "--app",
            "sample_app",
            "--port",
            str(port),
        ]
        with serving(cli, REPO_ROOT, f"http://127.0.0.1:{port}{PATH}", path_env) as startup:
            print(f"servey-local start-up (sample app, to its first answer): {startup:.2f} s")

        servers = {
            "servey-local": (
                [python, "-m", "uvicorn", "local_runtime.app:create_app", "--factory", *uvicorn_flags],
                REPO_ROOT,
                {**path_env, "SERVEY_ACTION_PATH": "sample_app"},
            ),
            "bare Starlette": ([python, "-m", "uvicorn", "bare_app:app", *uvicorn_flags], work, path_env),
            "chalice local": ([str(Path(python).with_name("chalice")), "local"], work / "chalice_app", None),
        }
        with contextlib.ExitStack() as running:
            urls = {}
            for name, (command, cwd, env) in servers.items():
                port = free_port()
                urls[name] = f"http://127.0.0.1:{port}{PATH}"
                running.enter_context(serving([*command, "--port", str(port)], cwd, urls[name], env))
            # Rounds interleave the servers, so the machine's load falls on all alike; the best counts.
            for _ in range(args.rounds):
                for name, url in urls.items():
                    rate = requests_per_second(url, args.seconds, args.connections)
                    figures[name] = max(figures.get(name, 0.0), rate)

    print(f"\nGET {PATH}, {args.connections} connections, best of {args.rounds} rounds of {args.seconds} s\n")
    print("| server | requests/s | servey-local x | target |")
    print("| --- | ---: | ---: | ---: |")
    for name, rate in figures.items():
        ratio = figures["servey-local"] / rate
        target = f"at least {TARGETS[name]:g}x" if name in TARGETS else ""
        print(f"| {name} | {rate:,.0f} | {ratio:.2f} | {target} |")


if __name__ == "__main__":
    main()
