"""Fixtures: a fake OAuth2 token server over real HTTP on loopback, a fake clock, the two token key modes."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .keys import FakeKms, KeyMode, hs256_mode, kms_mode


@dataclass
class TokenServer:
    """What the fake token endpoint answers, and the requests it received."""

    url: str = ""
    status: int = 200
    expires_in: int | None = 3600
    delay_s: float = 0.0
    fixed_answer: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self) -> tuple[int, dict[str, Any]]:
        if self.fixed_answer is not None:
            return self.status, self.fixed_answer
        if self.status != 200:
            return self.status, {"error": "temporarily_unavailable"}
        token: dict[str, Any] = {"access_token": f"token-{len(self.requests)}", "token_type": "Bearer"}
        if self.expires_in is not None:
            token["expires_in"] = self.expires_in
        return 200, token


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    server_state = TokenServer()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            time.sleep(server_state.delay_s)
            with lock:
                server_state.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "form": dict(urllib.parse.parse_qsl(body)),
                    }
                )
                status, answer = server_state.answer()
            payload = json.dumps(answer).encode()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{server_state.url}?redirected")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is not the place for an access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_port}/oauth2/token"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def fake_kms() -> FakeKms:
    """The KMS key functions configured for KMS check tokens against (one RSA key per session)."""
    return FakeKms()


@pytest.fixture(scope="session")
def spare_kms() -> FakeKms:
    """Another KMS key, for tokens signed by a key the functions do not trust."""
    return FakeKms()


@pytest.fixture(params=["hs256", "kms"])
def key_mode(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fake_kms: FakeKms, spare_kms: FakeKms
) -> KeyMode:
    """Each test runs with functions verifying HS256 (locally) and KMS-signed RS256 (on AWS)."""
    if request.param == "kms":
        return kms_mode(monkeypatch, fake_kms, spare_kms)
    return hs256_mode(monkeypatch, spare_kms)
