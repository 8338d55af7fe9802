"""The dashboard in a browser: headless Chromium, driven over the DevTools protocol, against the real CLI.

GIVEN servey-local serving the dashboard's app and Chromium showing `/_servey`
WHEN an action is requested, and a job fails into its queue's dead letters
THEN the action's row appears with its log line, and the redrive button delivers the job again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.pages import test_browser_session
from tests.pages.test_browser_session import Browser
from tests.servers import servey_local

browser = test_browser_session.browser  # the same Chromium tab, skipped where Chromium is not installed

ROWS = "[...document.querySelectorAll('#invocations tr.invocation')].map((row) => row.innerText)"
REDRIVE = "document.querySelector('button[data-redrive=\"jobs-work\"]')"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with servey_local(["--app", "tests.local.dashboard_app"]) as (url, _):
        yield url


def until(tab: Browser, script: str, timeout_s: float = 20) -> Any:
    """The script's first true value, as the page's polling brings it."""
    deadline = time.monotonic() + timeout_s
    while not (value := tab.run(script)):
        assert time.monotonic() < deadline, f"the page never made this true: {script}"
        time.sleep(0.1)
    return value


def test_GIVEN_the_dashboard_WHEN_an_action_runs_and_a_dead_letter_is_redriven_THEN_the_page_shows_both(
    base: str, browser: Browser
) -> None:
    browser.open(f"{base}/_servey")
    until(browser, "document.getElementById('live').textContent.startsWith('live')")

    assert httpx.get(f"{base}/actions/greet", params={"name": "Chromium"}).json() == "Hello Chromium!"
    row = until(browser, f"{ROWS}.find((text) => text.includes('greeting Chromium'))")
    assert "GET /actions/greet" in row
    assert "200" in row

    assert httpx.post(f"{base}/actions/enqueue", json={"job": "browser-job"}).json() is True
    until(browser, f"{ROWS}.some((text) => text.includes('job browser-job fails on its first delivery'))")
    until(browser, f"!!{REDRIVE}")
    browser.run(f"{REDRIVE}.click()")

    until(browser, f"{ROWS}.some((text) => text.includes('job browser-job done'))")
    until(browser, f"!{REDRIVE}")
    (queue,) = httpx.get(f"{base}/_servey/state").json()["queues"]
    assert json.dumps([queue["depth"], queue["dead_letter_depth"]]) == "[0, 0]"
