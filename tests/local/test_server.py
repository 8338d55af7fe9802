"""servey-local as a developer runs it: the CLI, real uvicorn on a free port, httpx, websockets, a browser."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from local_runtime.cli import banner
from servey_cdk.appspec_builder import BuildSettings, load_spec
from servey_cdk.rehearsal.local_aws import free_port
from tests.conftest import REPO_ROOT
from tests.local.conftest import servey_local

PASSWORD = "served-password"


@dataclass(frozen=True)
class Server:
    base: str
    banner: str


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with servey_local(PASSWORD, subprocess.PIPE) as (base, process):
        assert process.stdout is not None
        banner = b""
        while b"SPA fallback" not in banner:
            banner += process.stdout.readline()
        yield Server(base, banner.decode())


def test_GIVEN_the_cli_WHEN_started_THEN_the_banner_lists_every_url_and_the_password(server: Server) -> None:
    for url in (
        "/docs",
        "/openapi.json",
        "/graphql",
        "/graphiql",
        "/asyncapi.json",
        "/login",
        "/_servey/queues",
        "/catalogue",
        "/current-time-page",
        "/static/",
    ):
        assert f"{server.base}{url}" in server.banner
    assert f"ws://{server.base.removeprefix('http://')}/ws" in server.banner
    assert f"  Dashboard      {server.base}/_servey\n" in server.banner
    buckets = f"  Buckets        PUT|DELETE {server.base}/_servey/buckets/<bucket>/<key>  (uploads)\n"
    assert buckets in server.banner
    assert PASSWORD in server.banner
    assert "SPA fallback   off (SERVEY_SPA_FALLBACK)" in server.banner


def test_GIVEN_an_spa_fallback_WHEN_the_banner_is_printed_THEN_it_names_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERVEY_SPA_FALLBACK", "1")
    spec = load_spec("sample_app", BuildSettings.from_environment())
    assert "SPA fallback   static/index.html for other paths" in banner(spec, "h:1", "pw")


def test_GIVEN_a_real_server_WHEN_an_action_is_requested_THEN_it_answers(server: Server) -> None:
    response = httpx.get(f"{server.base}/actions/say-hello", params={"name": "World"})
    assert (response.status_code, response.json()) == (200, "Hello World!")


def test_GIVEN_a_real_server_WHEN_a_websocket_subscribes_THEN_broadcasts_arrive(server: Server) -> None:
    async def scenario() -> object:
        async with websockets.connect(server.base.replace("http", "ws") + "/ws") as websocket:
            await websocket.send(json.dumps({"type": "subscribe", "subscription": "messager"}))
            assert json.loads(await websocket.recv())["type"] == "subscribed"
            async with httpx.AsyncClient() as client:
                form = {"username": "dev", "password": PASSWORD, "scope": "messages:send"}
                token = (await client.post(f"{server.base}/login", data=form)).json()["access_token"]
                sent = await client.post(
                    f"{server.base}/actions/broadcast-message",
                    json={"message": "over the wire"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert sent.json() is True
            return json.loads(await asyncio.wait_for(websocket.recv(), timeout=5))

    assert asyncio.run(scenario()) == {"subscription": "messager", "event": "over the wire"}


def chromium() -> str:
    """Debian's chromium, which the test setup (scripts/test) installs where it can."""
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("chromium is not installed (Debian's package; scripts/test installs it as root)")
    return found


def rendered_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ]
        result = subprocess.run([chromium(), *flags, url], capture_output=True, text=True, timeout=120)
    return result.stdout


def test_GIVEN_a_browser_WHEN_it_opens_the_docs_THEN_swagger_ui_renders_the_operations(
    server: Server,
) -> None:
    dom = rendered_dom(f"{server.base}/docs")
    assert 'class="swagger-ui' in dom
    assert "opblock-summary-path" in dom
    assert "/actions/say-hello" in dom
    assert "authorize" in dom


def test_GIVEN_a_browser_WHEN_it_opens_graphiql_THEN_the_editor_renders(server: Server) -> None:
    dom = rendered_dom(f"{server.base}/graphiql")
    assert "graphiql-container" in dom
    assert "CodeMirror" in dom


def test_GIVEN_the_catalogue_page_WHEN_a_browser_opens_it_THEN_the_sites_script_runs_on_the_listed_items(
    server: Server,
) -> None:
    dom = rendered_dom(f"{server.base}/catalogue")
    assert '<li data-item-id="42">Answer: 4.20</li>' in dom
    assert '<p id="count">1 item(s) listed by the browser</p>' in dom


def test_GIVEN_the_seed_page_WHEN_a_browser_opens_it_THEN_it_shows_the_time(server: Server) -> None:
    assert "<h1>The current time is 20" in rendered_dom(f"{server.base}/current-time-page")


RELOADED_APP = '''
from servey_cdk import WEB_GET, action


@action(triggers=WEB_GET)
def greeting() -> str:
    return "{text}"
'''


def test_GIVEN_reload_WHEN_the_code_changes_THEN_a_syntax_error_is_shown_then_the_new_code_answers(
    tmp_path: Path,
) -> None:
    app = tmp_path / "reloaded_app"
    app.mkdir()
    (app / "__init__.py").write_text(RELOADED_APP.format(text="before"))
    port = free_port()
    path = os.pathsep.join([str(REPO_ROOT), str(tmp_path)])
    env = {**os.environ, "SERVER_PORT": str(port), "PYTHONPATH": path}
    command = [sys.executable, "-c", "from local_runtime.cli import main; main()", "--app", "reloaded_app"]
    process = subprocess.Popen(
        [*command, "--reload"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # the reloader's own server process goes down with it
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/actions/greeting"
    try:
        assert _answer_within(url, "before", process), "servey-local did not serve on SERVER_PORT"
        (app / "__init__.py").write_text(RELOADED_APP.format(text="after") + "\ndef broken(:\n")
        failure = _failure_within(url, process)
        assert failure["error"] == "app_not_loaded"
        assert (failure["file"], failure["line"]) == (str(app / "__init__.py"), 9)
        assert failure["detail"].startswith("SyntaxError: ")
        page = httpx.get(url, headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 500
        assert f"{app / '__init__.py'}, line 9" in page.text
        (app / "__init__.py").write_text(RELOADED_APP.format(text="after"))
        assert _answer_within(url, "after", process), "servey-local did not reload the changed code"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def _failure_within(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> Any:
    """The 500 a reloaded server answers while the code cannot load (its body, JSON)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "servey-local exited"
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.get(url, timeout=1)
            if answer.status_code == 500:
                return answer.json()
        time.sleep(0.1)
    raise AssertionError("servey-local did not answer the syntax error")


def _answer_within(url: str, expected: str, process: subprocess.Popen[bytes], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "servey-local exited"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).json() == expected:
                return True
        time.sleep(0.1)
    return False
