"""No token reaches servey-local's log, whatever carries it.

GIVEN the real CLI serving the sample app, and a valid root token from its login
WHEN the token travels in a websocket URL, a query string and a header
THEN nothing the server printed holds the token, or its signature.
"""

from __future__ import annotations

import asyncio
import subprocess

import httpx
import websockets

from tests.servers import servey_local

PASSWORD = "log-password"


def test_GIVEN_a_token_in_urls_and_headers_WHEN_served_THEN_it_never_reaches_the_log() -> None:
    environment = {"SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": PASSWORD}
    with servey_local(["--app", "sample_app"], environment, subprocess.PIPE) as (base, server):
        form = {"username": "dev", "password": PASSWORD, "scope": "root"}
        token = httpx.post(f"{base}/login", data=form, timeout=10).json()["access_token"]
        httpx.get(f"{base}/actions/echo-authorization?token={token}", timeout=10)
        httpx.get(f"{base}/actions/only-for-root", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        httpx.get(f"{base}/no-such-route?access_token={token}&x=1", timeout=10)

        async def connect() -> None:
            async with websockets.connect(base.replace("http", "ws") + f"/ws?token={token}") as websocket:
                await websocket.send('{"type": "subscribe", "subscription": "messager"}')
                await websocket.recv()

        asyncio.run(connect())
    assert server.stdout is not None
    output = server.stdout.read().decode()
    assert "/ws?token=[redacted]" in output  # the lines are there, with the value replaced
    assert "access_token=[redacted]&x=1" in output
    assert token not in output
    assert token.rpartition(".")[2] not in output
