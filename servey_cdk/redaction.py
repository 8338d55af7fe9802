"""Tokens kept out of log lines: a `token=` query value, and anything shaped like a JWT.

A browser's websocket cannot send an `Authorization` header, so its token travels as
`?token=`; so may a link's. Lines that carry a URL, or whatever an app chose to log,
are passed through `redact` before they are written.
"""

from __future__ import annotations

import re

# A value ends at a backslash too, so that a JSON line's escaped quote (`\"`) is kept whole.
TOKEN_PARAMETER = re.compile(r"(?i)\b((?:access_|id_|refresh_)?token=)[^&\s\"'\\]+")
JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;\\]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return BEARER.sub(rf"\1{REDACTED}", JWT.sub(REDACTED, TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text)))
