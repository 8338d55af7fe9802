"""uvicorn's websocket protocol, held to the limits AWS holds a websocket to.

The websockets library reads a handshake's request line with an 8 KB limit and, past
it, never answers: the socket hangs until the client gives up. Here a URL over
`MAX_URL_BYTES` (CloudFront's URL limit, which the API Gateway in front of the app
keeps too) is answered with a 414 and the connection closed. Messages over
`MAX_MESSAGE_BYTES`, API Gateway's websocket payload limit, close the connection with
1009 (message too big): `servey-local` gives uvicorn that limit as `ws_max_size`.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

MAX_URL_BYTES = 8192
MAX_MESSAGE_BYTES = 128 * 1024
URI_TOO_LONG = (
    b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: 35\r\n"
    b'connection: close\r\n\r\n{"message": "Request-URI Too Long"}'
)


class LimitedWebSocketProtocol(WebSocketsSansIOProtocol):
    _handshake_read = False

    def data_received(self, data: bytes) -> None:
        if not self._handshake_read:
            self._handshake_read = True
            request_line = data.partition(b"\r\n")[0]  # GET <target> HTTP/1.1
            if len(request_line) > MAX_URL_BYTES + len(b"GET  HTTP/1.1"):
                self.transport.write(URI_TOO_LONG)
                self.transport.close()
                return
        super().data_received(data)
