"""An API Gateway proxy request, read the same way from a REST (v1) or an HTTP API (v2) event.

Headers are matched without regard to case: v2 sends them lowercased, v1 as the
client wrote them. What a request may never need (the body as JSON, the cookies) is
read when asked for, so a GET without a body costs two dict lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.path_templates import decoded_parameters

FORM = "application/x-www-form-urlencoded"


class Headers:
    """A request's headers, looked up in any case. `lowercased`: the names arrived lowercased (v2)."""

    __slots__ = ("_lowered", "_names", "_raw")

    def __init__(self, raw: Mapping[str, str], lowercased: bool) -> None:
        self._raw = raw
        self._lowered: Mapping[str, str] | None = raw if lowercased else None
        self._names: frozenset[str] | None = None  # every name, lowercased

    def get(self, name: str) -> str | None:
        """The value of header `name` (given in lower case)."""
        if self._lowered is not None:
            return self._lowered.get(name)
        raw = self._raw
        # The common spellings first: most requests are answered without lowering every name.
        value = raw.get(name) or raw.get(_TITLED.get(name) or _titled(name))
        if value is not None:
            return value
        names = self._names
        if names is None:
            names = self._names = _lowered_names(raw)
        return self.lowered().get(name) if name in names else None

    def lowered(self) -> Mapping[str, str]:
        if self._lowered is None:
            self._lowered = {str(key).lower(): value for key, value in self._raw.items()}
        return self._lowered


# Each header name servey looks up, title-cased as HTTP/1.1 clients send it to a REST API.
_TITLED: dict[str, str] = {}
# The lowered names of each set of header names seen: a header absent in any case (an anonymous
# call's `authorization`) is then told by one lookup. Calls from one kind of client send the same
# names, and lowering them all for each request cost a warm GET about one instruction in thirteen.
_LOWERED_NAMES: dict[tuple[str, ...], frozenset[str]] = {}
_KEPT_NAME_SETS = 256


def _titled(name: str) -> str:
    titled = _TITLED[name] = name.title()
    return titled


def _lowered_names(raw: Mapping[str, str]) -> frozenset[str]:
    names = tuple(raw)
    lowered = _LOWERED_NAMES.get(names)
    if lowered is None:
        if len(_LOWERED_NAMES) >= _KEPT_NAME_SETS:  # clients of every kind: start again
            _LOWERED_NAMES.clear()
        lowered = _LOWERED_NAMES[names] = frozenset(str(name).lower() for name in names)
    return lowered


class HttpRequest:
    """`method`, `path` (the route's resource, `/items/{item_id}`; for a greedy resource or an HTTP
    API's `$default` route, that resource until the adapter routes `raw_path`), the query (`query`,
    the last value of each key; `multi_query`, every value where the event gives them),
    `path_params` (decoded), `headers`, and `event`, the raw event for what only its source reads."""

    __slots__ = ("event", "headers", "method", "multi_query", "path", "path_params", "query")

    def __init__(
        self,
        event: Mapping[str, Any],
        method: str,
        path: str,
        query: Mapping[str, str],
        multi_query: Mapping[str, list[str]] | None,
        headers: Headers,
    ) -> None:
        self.event = event
        self.method = method
        self.path = path
        self.query = query
        self.multi_query = multi_query
        self.headers = headers
        parameters = event.get("pathParameters")
        self.path_params: Mapping[str, str] = decoded_parameters(parameters) if parameters else {}

    @classmethod
    def from_v1(cls, event: Mapping[str, Any]) -> HttpRequest:
        return cls(
            event,
            event["httpMethod"],
            event["resource"],
            event.get("queryStringParameters") or {},
            event.get("multiValueQueryStringParameters"),
            Headers(event.get("headers") or {}, lowercased=False),
        )

    @classmethod
    def from_v2(cls, event: Mapping[str, Any]) -> HttpRequest:
        """An HTTP API event; a `$default` route's (or a Lambda function URL's) names no resource,
        so its path is `$default`, and its method, as an `ANY` route's, is the request's."""
        route_key = event.get("routeKey", "$default")
        method, _, path = route_key.partition(" ")
        if not path:
            path = route_key
        if method == "ANY" or method == route_key:
            method = event["requestContext"]["http"]["method"]
        query, multi = _query_v2(event)
        return cls(event, method, path, query, multi, Headers(event.get("headers") or {}, lowercased=True))

    @property
    def raw_path(self) -> str:
        """The path the client asked for, without the stage: what a greedy or `$default` route routes."""
        event = self.event
        if "rawPath" not in event:
            return str(event.get("path") or "/")
        raw, stage = str(event["rawPath"]), event.get("requestContext", {}).get("stage", "$default")
        prefix = f"/{stage}"
        if stage != "$default" and (raw == prefix or raw.startswith(prefix + "/")):
            return raw[len(prefix) :] or "/"
        return raw

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def content_type(self) -> str:
        """The media type of the body, lowercased, without its parameters."""
        return (self.headers.get("content-type") or "").partition(";")[0].strip().lower()

    @property
    def body(self) -> str | None:
        """The body as sent (base64 when `is_base64`); None when there is none."""
        return self.event.get("body") or None

    @property
    def is_base64(self) -> bool:
        return bool(self.event.get("isBase64Encoded"))


def _query_v2(event: Mapping[str, Any]) -> tuple[Mapping[str, str], Mapping[str, list[str]] | None]:
    """Single and multiple query values of an HTTP API event.

    HTTP API joins repeated values with commas, so a value holding a comma is read
    again from the raw query string, where repeats and commas are told apart.
    """
    single: Mapping[str, str] = event.get("queryStringParameters") or {}
    if not any("," in value for value in single.values()):
        return single, None
    from urllib.parse import parse_qsl

    multi: dict[str, list[str]] = {}
    for key, value in parse_qsl(event.get("rawQueryString", ""), keep_blank_values=True):
        multi.setdefault(key, []).append(value)
    return {key: values[-1] for key, values in multi.items()}, multi
