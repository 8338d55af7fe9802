"""A real browser (Debian's chromium, headless) opens a page served by a real servey-local."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no chromium at {CHROMIUM} (Debian's 'chromium' package; scripts/test installs it)")
    port = _free_port()
    command = [sys.executable, "-c", "from local_runtime.cli import main; main()", "--app", "sample_app"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "servey-local exited"
            assert time.monotonic() < deadline, "servey-local did not start in 30 s"
            try:
                httpx.get(f"{base}/static/styles.css", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _dump_dom(url: str) -> str:
    profile = tempfile.mkdtemp(prefix="servey-chromium-")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
    ]
    try:
        result = subprocess.run([CHROMIUM, *flags, url], capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_GIVEN_the_catalogue_page_WHEN_a_browser_opens_it_THEN_the_sites_script_runs_on_the_listed_items(
    base_url: str,
) -> None:
    dom = _dump_dom(f"{base_url}/catalogue")
    assert '<li data-item-id="42">Answer: 4.20</li>' in dom
    assert '<p id="count">1 item(s) listed by the browser</p>' in dom


def test_GIVEN_the_seed_page_WHEN_a_browser_opens_it_THEN_it_shows_the_time(base_url: str) -> None:
    assert "<h1>The current time is 20" in _dump_dom(f"{base_url}/current-time-page")
