"""Tokens kept out of log lines: a `token=` query value, anything shaped like a JWT, and the
values of the app's secrets that this process has read.

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
SHORTEST_KEPT_SECRET = 6  # a shorter value would blank ordinary words; such a value is no secret
_SECRET_VALUES: list[str] = []


def keep_out_of_logs(value: str) -> None:
    """Blank `value` wherever a log line would carry it from now on."""
    if len(value) >= SHORTEST_KEPT_SECRET and value not in _SECRET_VALUES:
        _SECRET_VALUES.append(value)
        _SECRET_VALUES.sort(key=len, reverse=True)  # a value holding another is blanked whole


def redact(text: str) -> str:
    text = BEARER.sub(rf"\1{REDACTED}", JWT.sub(REDACTED, TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text)))
    for value in _SECRET_VALUES:
        text = text.replace(value, REDACTED)
    return text
