"""moto's server on a free loopback port, in a thread of this process, telling its observer of each
request it answered: how servey-local learns of an object put or a table written.

moto keeps its backends in the process, so one server serves the process: started on first use
and kept until the process ends, which also spares each later run of servey-local (a test's, a
reload's) the second it takes to start."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Served:
    """A request moto answered with success: enough to tell which resource it changed, and how."""

    method: str
    path: str  # decoded, as `/bucket/key` for S3's path-style requests
    query: str
    target: str  # `X-Amz-Target`, as `DynamoDB_20120810.PutItem`, for JSON protocols
    copy_source: bool  # S3's CopyObject
    body: bytes  # the response's, kept for S3's DeleteObjects only


Observer = Callable[[Served], None]
_LOCK = threading.Lock()
_SHARED: list[MotoServer] = []


def shared_server() -> MotoServer:
    """The process's moto server, started on the first call."""
    with _LOCK:
        if not _SHARED:
            _SHARED.append(MotoServer())
        return _SHARED[0]


class MotoServer:
    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (  # imported only for an app that declares resources
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any) -> None:  # each request is not news; errors still are
                pass

        self._moto = DomainDispatcherApplication(create_backend_app)
        self.observer: Observer | None = None
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=QuietHandler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Forget every resource moto holds."""
        import urllib.request

        urllib.request.urlopen(
            urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        ).close()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        statuses: list[int] = []

        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        answer = self._moto(environ, start)
        try:
            chunks = list(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        observe = self.observer
        if observe is not None and statuses and statuses[0] < 300 and environ["REQUEST_METHOD"] != "GET":
            query = environ.get("QUERY_STRING", "")
            observe(
                Served(
                    method=environ["REQUEST_METHOD"],
                    path=environ.get("PATH_INFO", ""),
                    query=query,
                    target=environ.get("HTTP_X_AMZ_TARGET", ""),
                    copy_source="HTTP_X_AMZ_COPY_SOURCE" in environ,
                    body=b"".join(chunks) if query.startswith("delete") else b"",
                )
            )
        return chunks
