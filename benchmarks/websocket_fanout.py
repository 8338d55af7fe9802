"""Websocket fan-out on servey-local: N clients subscribe, one publish, time until all have it.

servey-local serves the sample app from its own process, pinned to one core; the
clients run on the other. Each client connects to /ws and subscribes to `messager`;
then one `POST /actions/broadcast-message`, with a debug login's token that may send,
publishes, and the time runs from the request until the last client has received the
envelope. A client that has not received it within the timeout counts as lost. Each
round publishes a new message.

    python benchmarks/websocket_fanout.py [--clients 100 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from local_rps import PATH, REPO_ROOT, free_port, serving
from websockets.asyncio.client import ClientConnection, connect

SUBSCRIBE = json.dumps({"type": "subscribe", "subscription": "messager"})
RECEIVE_TIMEOUT_S = 30
PASSWORD = "fan-out"  # servey-local's debug login: broadcasting takes the `messages:send` scope


@dataclass(frozen=True)
class Figures:
    clients: int
    subscribe_s: float
    fanout_ms: list[float]
    lost: int


def raise_open_files_limit(needed: int) -> None:
    """Each client and its server side hold a socket; the server inherits this limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


async def subscribed(url: str) -> ClientConnection:
    websocket = await connect(url, max_queue=None, open_timeout=60)
    await websocket.send(SUBSCRIBE)
    answer = json.loads(await websocket.recv())
    if answer.get("type") != "subscribed":
        raise RuntimeError(f"subscribe refused: {answer}")
    return websocket


async def received_at(websocket: ClientConnection, message: str) -> float | None:
    """When the envelope of `message` arrived, or None if it did not within the timeout."""
    try:
        async with asyncio.timeout(RECEIVE_TIMEOUT_S):
            while True:
                envelope = json.loads(await websocket.recv())
                if envelope == {"subscription": "messager", "event": message}:
                    return time.perf_counter()
    except TimeoutError:
        return None


async def fan_out(base: str, clients: int, rounds: int) -> Figures:
    started = time.perf_counter()
    sockets = await asyncio.gather(*(subscribed(f"ws://{base}/ws") for _ in range(clients)))
    subscribe_s = time.perf_counter() - started
    fanout_ms: list[float] = []
    lost = 0
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=RECEIVE_TIMEOUT_S) as http:
        form = {"username": "benchmark", "password": PASSWORD, "scope": "messages:send"}
        login = await http.post("/login", data=form)
        login.raise_for_status()
        sender = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for round_ in range(rounds):
            message = f"round {round_} to {clients}"
            waiting = [asyncio.create_task(received_at(websocket, message)) for websocket in sockets]
            sent = time.perf_counter()
            response = await http.post(
                "/actions/broadcast-message", json={"message": message}, headers=sender
            )
            response.raise_for_status()
            arrivals = [arrival for arrival in await asyncio.gather(*waiting) if arrival is not None]
            lost += clients - len(arrivals)
            fanout_ms.append((max(arrivals, default=sent + RECEIVE_TIMEOUT_S) - sent) * 1000)
    await asyncio.gather(*(websocket.close() for websocket in sockets))
    return Figures(clients, subscribe_s, fanout_ms, lost)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    raise_open_files_limit(4 * max(args.clients) + 256)
    results = []
    for clients in args.clients:
        port = free_port()
        server = [sys.executable, "-m", "uvicorn", "local_runtime.app:create_app", "--factory"]
        server += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
        environment = {"PYTHONPATH": str(REPO_ROOT), "SERVEY_ACTION_PATH": "sample_app"}
        environment["SERVEY_DEBUG_AUTHENTICATOR_PASSWORD"] = PASSWORD
        with serving(server, REPO_ROOT, f"http://127.0.0.1:{port}{PATH}", environment):
            results.append(asyncio.run(fan_out(f"127.0.0.1:{port}", clients, args.rounds)))

    print(f"\nOne publish to N websocket subscribers on servey-local, {args.rounds} rounds each\n")
    print("| clients | connect + subscribe all (s) | publish → all received, median (ms) | max (ms) | lost |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for figures in results:
        median, worst = statistics.median(figures.fanout_ms), max(figures.fanout_ms)
        row = (figures.clients, f"{figures.subscribe_s:.2f}", f"{median:.0f}", f"{worst:.0f}", figures.lost)
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
