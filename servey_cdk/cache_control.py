"""HTTP caching advice for an action's REST responses: `Cache-Control` and `ETag`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


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


def etag(body: bytes) -> str:
    """A strong, quoted entity tag for a response body."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an `If-None-Match` header names `tag` (weak tags compare equal too)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = (part.strip().removeprefix("W/") for part in if_none_match.split(","))
    return tag in candidates
