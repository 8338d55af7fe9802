"""A local stand-in for API Gateway's `@connections` management API, on a loopback port.

A post to an open connection is handed to `connections` and answered 200; to any
other, 410 Gone, as API Gateway answers for a connection that has closed. A delete
closes the connection, as `DeleteConnection` does.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import unquote

from servey_cdk.rehearsal.local_aws import free_port


class Connections(Protocol):
    def post(self, connection_id: str, data: bytes) -> bool:
        """Send `data` to the connection; False when it is not open."""
        ...

    def close(self, connection_id: str) -> None: ...


class RecordedConnections:
    """Connections that are only names: a post to an open one is recorded."""

    def __init__(self) -> None:
        self.open: set[str] = set()
        self.posts: list[tuple[str, bytes]] = []

    def post(self, connection_id: str, data: bytes) -> bool:
        if connection_id not in self.open:
            return False
        self.posts.append((connection_id, data))
        return True

    def close(self, connection_id: str) -> None:
        self.open.discard(connection_id)


class ManagementApi:
    def __init__(self, connections: Connections) -> None:
        self.connections = connections
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                connection = self._connection()
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if api.connections.post(connection, data):
                    self._answer(200)
                else:
                    self._answer(410, b'{"message": "GoneException"}')

            def do_DELETE(self) -> None:
                api.connections.close(self._connection())
                self._answer(204)

            def _connection(self) -> str:
                """The connection id of `…/@connections/{id}`, which boto3 sends percent-encoded."""
                return unquote(self.path.rpartition("/@connections/")[2])

            def _answer(self, status: int, body: bytes = b"{}") -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if status == 410:
                    self.send_header("x-amzn-ErrorType", "GoneException")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the report (or the emulator's log) says what happened."""

        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
