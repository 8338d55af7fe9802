"""No token reaches servey-local's log, whatever carries it.

GIVEN the real CLI serving the sample app, and a valid root token from its login
WHEN the token travels in a websocket URL, a query string and a header
THEN nothing the server printed holds the token, or its signature.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import websockets

from servey_cdk.rehearsal.local_aws import free_port

PASSWORD = "log-password"


def test_a_token_in_urls_and_headers_never_reaches_the_log() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from local_runtime.cli import main; main()", "--app", "sample_app"]
    env = {**os.environ, "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": PASSWORD}
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "servey-local exited"
            assert time.monotonic() < deadline, "servey-local did not start"
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        form = {"username": "dev", "password": PASSWORD, "scope": "root"}
        token = httpx.post(f"{base}/login", data=form, timeout=10).json()["access_token"]
        httpx.get(f"{base}/actions/echo-authorization?token={token}", timeout=10)
        httpx.get(f"{base}/actions/only-for-root", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        httpx.get(f"{base}/no-such-route?access_token={token}&x=1", timeout=10)

        async def connect() -> None:
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws?token={token}") as websocket:
                await websocket.send('{"type": "subscribe", "subscription": "messager"}')
                await websocket.recv()

        asyncio.run(connect())
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "/ws?token=[redacted]" in output  # the lines are there, with the value replaced
    assert "access_token=[redacted]&x=1" in output
    assert token not in output
    assert token.rpartition(".")[2] not in output
