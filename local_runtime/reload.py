"""What a `--reload` server serves: the emulator, or, while the app's code cannot load, an answer
to every request that says where it broke.

uvicorn's reloader starts a new server on each change of the code. Were the app factory to raise
(a syntax error mid-edit, a bad definition), that server would be gone until the next change, and
each request would wait on a port nobody answers; instead it answers 500 naming the file and line.
"""

from __future__ import annotations

import html
import json
import logging
import sysconfig
import traceback
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("servey.local")


@dataclass(frozen=True)
class LoadFailure:
    """Why the app did not load: the error, and the file and line it points at (where it has one)."""

    error: str
    file: str | None
    line: int | None

    @classmethod
    def of(cls, error: BaseException) -> LoadFailure:
        if isinstance(error, SyntaxError):  # the line that does not parse, not the importer's frame
            return cls(f"{type(error).__name__}: {error.msg}", error.filename, error.lineno)
        frames = traceback.extract_tb(error.__traceback__)
        own = [frame for frame in frames if _is_app_code(frame.filename)] or frames
        where = own[-1] if own else None
        return cls(f"{type(error).__name__}: {error}", where and where.filename, where and where.lineno)

    @property
    def location(self) -> str:
        return f"{self.file}, line {self.line}" if self.file else "(no file)"


_STANDARD_LIBRARY = tuple(
    str(Path(sysconfig.get_paths()[name]).resolve()) for name in ("stdlib", "platstdlib")
)


def _is_app_code(filename: str) -> bool:
    """A frame of the user's code: not the standard library's, a package's or servey-cdk's own."""
    library = {"site-packages", "local_runtime", "servey_cdk"} & set(Path(filename).parts)
    standard = str(Path(filename).resolve()).startswith(_STANDARD_LIBRARY)
    return not library and not standard and not filename.startswith("<")


def create_reloaded_app() -> ASGIApp:
    from local_runtime.app import create_app

    try:
        return create_app()
    except Exception as error:  # anything importing the app raises is shown, not fatal to the server
        failure = LoadFailure.of(error)
        log.error("servey-local: the app cannot be loaded (%s): %s", failure.location, failure.error)
        return failure_app(failure)


def failure_app(failure: LoadFailure) -> ASGIApp:
    """Answers every request with the failure (500, HTML to a browser, else JSON) until the reload."""
    where = {"file": failure.file, "line": failure.line}
    document = {"error": "app_not_loaded", "detail": failure.error, **where}
    page = (
        "<!doctype html><title>servey-local: the app cannot be loaded</title>"
        "<h1>The app cannot be loaded</h1>"
        f"<p>{html.escape(failure.location)}</p><pre>{html.escape(failure.error)}</pre>"
        "<p>Fix the code: servey-local reloads it on the next change.</p>"
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1011, "reason": "the app cannot be loaded"})
            return
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        is_page = "text/html" in accept
        body = (page if is_page else json.dumps(document)).encode()
        content_type = b"text/html; charset=utf-8" if is_page else b"application/json"
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app
