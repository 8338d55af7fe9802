"""The small types the packages share: what a route or a websocket frame can be."""

from __future__ import annotations

from typing import Literal

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
RouteKind = Literal["action", "page"]  # a JSON action, or an HTML page rendered from its result
S3EventKind = Literal["created", "removed"]
ControlFrame = Literal["subscribe", "unsubscribe"]  # what a websocket client sends
AnswerFrame = Literal["subscribed", "unsubscribed", "error"]  # what it is answered
