"""HTTP caching advice for an action's REST responses: `Cache-Control`, `ETag` and `Last-Modified`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

try:  # BLAKE2 from its own module: `hashlib` loads OpenSSL's bindings, milliseconds of a cold start
    from _blake2 import blake2b as _blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b as _blake2b


class CacheControl(Protocol):
    def cache_header(self) -> str:
        """The `Cache-Control` value for a response of the action."""
        ...


@dataclass(frozen=True)
class NoCacheControl:
    """Clients revalidate every time; with the ETag an unchanged result costs a 304."""

    def cache_header(self) -> str:
        return "no-cache"


@dataclass(frozen=True)
class TtlCacheControl:
    """Clients (and shared caches when `public`) may reuse a result for `seconds`."""

    seconds: int
    public: bool = False
    must_revalidate: bool = False

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"TtlCacheControl seconds must be >= 0, got {self.seconds}")

    def cache_header(self) -> str:
        value = f"{'public' if self.public else 'private'}, max-age={self.seconds}"
        return value + ", must-revalidate" if self.must_revalidate else value


@dataclass(frozen=True)
class TimestampCacheControl:
    """Clients revalidate by time: the result's `field` (a datetime; for a list, the latest of its
    items') is sent as `Last-Modified`, and a GET whose `If-Modified-Since` is not older is
    answered 304. `seconds` lets clients reuse a result that long before they ask."""

    field: str = "updated_at"
    seconds: int = 0
    public: bool = False

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"TimestampCacheControl seconds must be >= 0, got {self.seconds}")

    def cache_header(self) -> str:
        if not self.seconds:
            return "no-cache"
        return f"{'public' if self.public else 'private'}, max-age={self.seconds}"

    def last_modified(self, result: Any) -> datetime | None:
        """When `result` last changed, to the second, in UTC; None when it says nothing of it."""
        items = result if isinstance(result, list | tuple) else [result]
        stamps = [stamp for stamp in map(self._stamp_of, items) if stamp is not None]
        return max(stamps).replace(microsecond=0) if stamps else None

    def _stamp_of(self, item: Any) -> datetime | None:
        value = item.get(self.field) if isinstance(item, Mapping) else getattr(item, self.field, None)
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def http_date(moment: datetime) -> str:
    """`Wed, 02 Dec 2026 09:30:00 GMT`, as `Last-Modified` is written."""
    from email.utils import format_datetime

    return format_datetime(moment, usegmt=True)


def not_modified_since(if_modified_since: str | None, modified: datetime) -> bool:
    """Whether an `If-Modified-Since` header is no older than `modified` (a bad date never is)."""
    if not if_modified_since:
        return False
    from email.utils import parsedate_to_datetime

    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return modified <= (since.replace(tzinfo=UTC) if since.tzinfo is None else since)


def etag(body: bytes) -> str:
    """A strong, quoted entity tag for a response body."""
    return f'"{_blake2b(body, digest_size=16).hexdigest()}"'


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an `If-None-Match` header names `tag` (weak tags compare equal too)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = (part.strip().removeprefix("W/") for part in if_none_match.split(","))
    return tag in candidates
