"""servey-local's own server held to AWS's limits: real uvicorn through the CLI, real sockets.

GIVEN `servey-local` serving the hostile app on a free port
WHEN a websocket client sends an over-long URL or an over-size message, or subscribes
and never reads THEN the server answers as API Gateway does and serves everyone else.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import websockets

from local_runtime.websocket_protocol import MAX_MESSAGE_BYTES, MAX_URL_BYTES
from tests.servers import servey_local

HANDSHAKE = (
    "GET {target} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with servey_local(["--app", "tests.hostile.hostile_app"]) as (base, _):
        yield int(base.rpartition(":")[2])


def raw_handshake(port: int, target: str, receive_buffer: int | None = None) -> socket.socket:
    client = socket.socket()
    if receive_buffer is not None:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    client.connect(("127.0.0.1", port))
    client.settimeout(10)
    client.sendall(HANDSHAKE.format(target=target).encode())
    return client


def test_GIVEN_a_websocket_url_over_the_limit_WHEN_served_THEN_414_at_once(port: int) -> None:
    with raw_handshake(port, "/ws?x=" + "a" * MAX_URL_BYTES) as client:
        assert client.recv(64).startswith(b"HTTP/1.1 414")


def test_GIVEN_a_websocket_url_under_the_limit_WHEN_served_THEN_it_is_accepted(port: int) -> None:
    with raw_handshake(port, "/ws?x=" + "a" * (MAX_URL_BYTES - 100)) as client:
        assert client.recv(64).startswith(b"HTTP/1.1 101")


def test_GIVEN_a_message_over_128_kb_WHEN_served_THEN_the_socket_closes_with_1009(port: int) -> None:
    async def scenario() -> int | None:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as websocket:
            await websocket.send("x" * (MAX_MESSAGE_BYTES + 1))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(websocket.recv(), 10)
            return websocket.close_code

    assert asyncio.run(scenario()) == 1009


def test_GIVEN_a_subscriber_that_never_reads_THEN_it_is_dropped_and_the_others_hear_every_publish(
    port: int,
) -> None:
    subscribe = json.dumps({"type": "subscribe", "subscription": "notes"})
    stuck = raw_handshake(port, "/ws", receive_buffer=4096)
    assert stuck.recv(4096).startswith(b"HTTP/1.1 101")
    stuck.sendall(_masked_text_frame(subscribe))  # and then never reads again
    text = "n" * 100_000
    publishes = 60

    async def scenario() -> tuple[list[int], int]:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as listener:
            await listener.send(subscribe)
            assert json.loads(await listener.recv())["type"] == "subscribed"
            async with httpx.AsyncClient(timeout=30) as client:
                statuses = []
                for _ in range(publishes):
                    answer = await client.post(f"http://127.0.0.1:{port}/shout", json={"text": text})
                    statuses.append(answer.status_code)
            heard = 0
            while heard < publishes:
                json.loads(await asyncio.wait_for(listener.recv(), 10))
                heard += 1
            return statuses, heard

    try:
        statuses, heard = asyncio.run(scenario())
    finally:
        stuck.close()
    assert statuses == [200] * publishes
    assert heard == publishes


def _masked_text_frame(text: str) -> bytes:
    """One client-to-server text frame, masked as RFC 6455 requires (with a zero mask, for brevity)."""
    payload = text.encode()
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload
