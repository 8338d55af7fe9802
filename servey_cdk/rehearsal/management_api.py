"""A local stand-in for API Gateway's `@connections` management API, on a loopback port.

A post to an open connection is recorded and answered 200; to any other, 410 Gone,
as API Gateway answers for a connection that has closed.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from servey_cdk.rehearsal.local_aws import free_port


class ManagementApi:
    def __init__(self) -> None:
        self.open: set[str] = set()
        self.posts: list[tuple[str, bytes]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                connection = self.path.rpartition("/@connections/")[2]
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if connection in api.open:
                    api.posts.append((connection, data))
                    self._answer(200)
                else:
                    self._answer(410, b'{"message": "GoneException"}')

            def do_DELETE(self) -> None:
                api.open.discard(self.path.rpartition("/@connections/")[2])
                self._answer(204)

            def _answer(self, status: int, body: bytes = b"{}") -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if status == 410:
                    self.send_header("x-amzn-ErrorType", "GoneException")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the report says what happened."""

        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
