"""The site's rules, shared by CloudFront (constructs_lib) and the emulator (local_runtime).

The site's files are served under `/static/`, `/` shows `static/index.html`, and the
first path segment of every route goes to the REST API. Files whose names carry a
content hash (`app.3f9a2c1b.js`, `app-3f9a2c1b.js`) never change, so browsers keep
them for a year; every other file is revalidated on each use (cheap, with its ETag).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

STATIC_PREFIX = "static/"
INDEX = "index.html"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Sent with every page and static file. HSTS is added by CloudFront on AWS: it has no
# meaning over the emulator's plain HTTP.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

_CONTENT_HASH = re.compile(r"[.-][0-9a-f]{8,64}\.[A-Za-z0-9]+$")


def is_content_hashed(name: str) -> bool:
    """Whether a file's name carries a hex content hash just before its extension."""
    return _CONTENT_HASH.search(name.rpartition("/")[2]) is not None


def cache_control_of(name: str) -> str:
    return IMMUTABLE if is_content_hashed(name) else REVALIDATE


def api_path_patterns(route_paths: Iterable[str]) -> tuple[str, ...]:
    """CloudFront path patterns that send each route's first path segment to the API."""
    paths = list(route_paths)
    exact = set(paths)
    patterns: list[str] = []
    for path in paths:
        segment = path.strip("/").split("/")[0]
        pattern = f"/{segment}*" if f"/{segment}" in exact else f"/{segment}/*"
        if segment and pattern not in patterns:
            patterns.append(pattern)
    return tuple(patterns)


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """CloudFront's matching: case-sensitive, `*` for any characters."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)

