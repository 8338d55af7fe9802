"""A browser logs in, opens the protected page and logs out: headless Chromium against servey-local.

GIVEN the real CLI serving the sample app, with an account holding the `root` scope
WHEN Chromium (driven over the DevTools protocol) fills the login form, follows the
redirect to the protected page, then presses "Log out" THEN the page opens with the
session cookie, scripts cannot read the cookie, and after logging out it is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from servey_cdk.rehearsal.local_aws import free_port
from tests.servers import servey_local, wait_until_it_answers

PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with servey_local(["--app", "sample_app"], {"SAMPLE_ADMIN_PASSWORD": PASSWORD}) as (url, _):
        yield url


class Browser:
    """One Chromium tab, driven over the DevTools protocol's websocket."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self.next_id = 0
        self.call("Page.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.websocket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.websocket.recv(timeout=30))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    def until_loaded(self) -> None:
        while json.loads(self.websocket.recv(timeout=30)).get("method") != "Page.loadEventFired":
            pass

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.until_loaded()

    def run(self, script: str) -> Any:
        return self.call("Runtime.evaluate", expression=script, returnByValue=True)["result"].get("value")


@pytest.fixture
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian's package; scripts/test installs it as root)")
    port = free_port()
    # Chromium's helper processes may still be closing files in the profile as it is removed.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "about:blank",
        ]  # fmt: skip
        process = subprocess.Popen(
            [chromium, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            wait_until_it_answers(f"http://127.0.0.1:{port}/json/version", process)
            targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
            page = next(target for target in targets if target["type"] == "page")
            with connect(page["webSocketDebuggerUrl"], max_size=None) as websocket:
                yield Browser(websocket)
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the browser and every helper process it started
            process.wait(timeout=20)


def test_GIVEN_a_browser_WHEN_it_logs_in_and_out_THEN_the_protected_page_opens_only_in_between(
    base: str, browser: Browser
) -> None:
    browser.open(f"{base}/secret-page")
    assert "Unauthorized" in browser.run("document.body.innerText")

    browser.open(f"{base}/static/login.html")
    browser.run(
        "document.querySelector('[name=username]').value = 'admin';"
        f"document.querySelector('[name=password]').value = {json.dumps(PASSWORD)};"
        "document.getElementById('login').submit();"
    )
    browser.until_loaded()
    assert browser.run("location.pathname") == "/secret-page"
    assert "Some Secret Data!" in browser.run("document.body.innerText")
    assert "Shown to admin." in browser.run("document.body.innerText")
    assert browser.run("document.cookie") == ""  # HttpOnly: no script can read the token

    browser.run("document.getElementById('logout').submit();")
    browser.until_loaded()
    assert browser.run("location.pathname") == "/static/login.html"
    browser.open(f"{base}/secret-page")
    assert "Unauthorized" in browser.run("document.body.innerText")
