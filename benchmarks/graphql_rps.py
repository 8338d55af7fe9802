"""Requests per second of a one-field GraphQL query on servey-local, beside Strawberry.

Both answer `{ say_hello(name: "World") }` over POST /graphql from one uvicorn process
pinned to one core, while wrk (with a POST script) loads it from the other; rounds
interleave them and the best round of each counts. Both are sent `Authorization: anonymous`,
what an AppSync client without a token sends (AppSync's Lambda authorization wants a header).
Strawberry's field calls the same function servey-local's action calls; servey-local parses
and validates the query, turns the field into AppSync's resolver event and runs it through
the Lambda handler.

    python benchmarks/graphql_rps.py [--seconds 3] [--rounds 3] [--connections 16]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from local_rps import free_port, pinned, requests_per_second

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERY = json.dumps({"query": '{ say_hello(name: "World") }'})
EXPECTED = {"data": {"say_hello": "Hello World!"}}
TARGET = 2.0  # servey-local's rate must be at least this many times Strawberry's
STRAWBERRY_APP = """
import strawberry
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig

from sample_app.greetings import say_hello as greet


@strawberry.type
class Query:
    @strawberry.field
    def say_hello(self, name: str) -> str:
        return greet(name)


app = GraphQL(strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=False)))
"""
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "anonymous"
"""
HEADERS = {"Content-Type": "application/json", "Authorization": "anonymous"}


@contextmanager
def serving(command: list[str], cwd: Path, url: str, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        pinned(command, 0), cwd=cwd, env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command} did not start")
            with contextlib.suppress(httpx.TransportError):
                answer = httpx.post(url, content=QUERY, headers=HEADERS)
                if answer.json() != EXPECTED:
                    raise RuntimeError(f"{url} answered {answer.status_code} {answer.text[:200]}")
                break
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best one counts")
    args = parser.parse_args()
    uvicorn = [sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning"]
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "strawberry_app.py").write_text(STRAWBERRY_APP)
        script = work / "post.lua"
        script.write_text(WRK_SCRIPT.format(body=json.dumps(QUERY)))
        path_env = {"PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{work}"}
        servers = {
            "servey-local": (
                ["local_runtime.app:create_app", "--factory"], "/graphql",
                {**path_env, "SERVEY_ACTION_PATH": "sample_app"},
            ),
            "Strawberry": (["strawberry_app:app"], "/", path_env),
        }  # fmt: skip
        with contextlib.ExitStack() as running:
            urls = {}
            for name, (app, path, env) in servers.items():
                port = free_port()
                urls[name] = f"http://127.0.0.1:{port}{path}"
                command = [*uvicorn, *app, "--port", str(port)]
                cwd = REPO_ROOT if name == "servey-local" else work
                running.enter_context(serving(command, cwd, urls[name], env))
            for _ in range(args.rounds):
                for name, url in urls.items():
                    rate = requests_per_second(url, args.seconds, args.connections, script)
                    figures[name] = max(figures.get(name, 0.0), rate)

    print(f"\nPOST /graphql {{ say_hello }}, {args.connections} connections, best of {args.rounds} rounds\n")
    print("| server | requests/s | servey-local x | target |")
    print("| --- | ---: | ---: | ---: |")
    for name, rate in figures.items():
        target = f"at least {TARGET:g}x" if name == "Strawberry" else ""
        print(f"| {name} | {rate:,.0f} | {figures['servey-local'] / rate:.2f} | {target} |")


if __name__ == "__main__":
    main()
