"""The open websockets, and the management API that posts to one of them.

API Gateway keeps the sockets; functions reach them through its management API
(`PostToConnection`), which fails with `GoneException` for a connection that has
closed. Here this table keeps the sockets, and `post_to_connections` behaves alike:
a connection found gone is removed and reported. Who subscribed to
what is the handler's business, kept in its connection store.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Iterable

from starlette.websockets import WebSocket

SEND_TIMEOUT_S = 2  # how long a post may wait on a client's socket before the client is dropped
POST_TIMEOUT_S = 10


class ConnectionGone(Exception):
    """The connection has closed (API Gateway's `GoneException`)."""


class ConnectionTable:
    def __init__(self) -> None:
        self._sockets: dict[str, WebSocket] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: set[asyncio.Future[None]] = set()  # closes of dropped sockets, kept till done

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the sockets live on; posts from worker threads are run there."""
        self._loop = loop

    def add(self, connection_id: str, websocket: WebSocket) -> None:
        self._sockets[connection_id] = websocket

    def remove(self, connection_id: str) -> None:
        self._sockets.pop(connection_id, None)

    def __contains__(self, connection_id: object) -> bool:
        return connection_id in self._sockets

    def __len__(self) -> int:
        return len(self._sockets)

    def ids(self) -> list[str]:
        """The open connections' ids."""
        return list(self._sockets)

    async def send(self, connection_id: str, data: str) -> None:
        websocket = self._sockets.get(connection_id)
        if websocket is None:
            raise ConnectionGone(connection_id)
        try:
            await asyncio.wait_for(websocket.send_text(data), SEND_TIMEOUT_S)
        except TimeoutError:  # a client that does not read: dropped, as a gone one is
            self.remove(connection_id)
            closing = asyncio.ensure_future(_close(websocket))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
            raise ConnectionGone(connection_id) from None
        except (RuntimeError, OSError):
            self.remove(connection_id)
            raise ConnectionGone(connection_id) from None

    def close_from_thread(self, connection_id: str) -> None:
        """`DeleteConnection`, from a thread other than the loop's: the socket is closed."""
        websocket = self._sockets.pop(connection_id, None)
        if websocket is not None and self._loop is not None:
            asyncio.run_coroutine_threadsafe(websocket.close(), self._loop)

    def post_to_connections(self, connection_ids: Iterable[str], data: str) -> list[str]:
        """`PostToConnection` to each, for code running in a worker thread as a function does.

        The posts go out together, as API Gateway takes them from many callers at once.
        Returns the connections found gone.
        """
        if self._loop is None:
            raise RuntimeError("the connection table is not bound to a running event loop")
        posts = {}
        for target in connection_ids:
            posts[target] = asyncio.run_coroutine_threadsafe(self.send(target, data), self._loop)
        gone = []
        for connection_id, post in posts.items():
            try:
                post.result(timeout=POST_TIMEOUT_S)
            except (ConnectionGone, concurrent.futures.TimeoutError):
                gone.append(connection_id)
        return gone


async def _close(websocket: WebSocket) -> None:
    with contextlib.suppress(Exception):  # the client may be past answering a close
        await asyncio.wait_for(websocket.close(1011, "the client did not read"), SEND_TIMEOUT_S)
