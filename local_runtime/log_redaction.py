"""No token in servey-local's log: uvicorn's access and error lines print each URL with its query.

A browser's websocket cannot send an `Authorization` header, so its token travels as
`?token=`; so may a link's. Every log line uvicorn writes has such values, and
anything shaped like a JWT, replaced before it is written.
"""

from __future__ import annotations

import logging
import re

TOKEN_PARAMETER = re.compile(r"(?i)\b((?:access_|id_|refresh_)?token=)[^&\s\"']+")
JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
REDACTED = "[redacted]"
SECRET_NAMES = r"password|passwd|secret|token|authorization|cookie|api[_-]?key|credential"
SECRET_NAME = re.compile(SECRET_NAMES, re.IGNORECASE)
# A field named like a secret and its value: `"password": "…"`, `api_key=…`, `Authorization: Bearer …`.
SECRET_FIELD = re.compile(
    rf"""("?[\w-]*(?:{SECRET_NAMES})[\w-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|(?:bearer\s+)?[^&\s,;{{}}\[\]"]+)""",
    re.IGNORECASE,
)
UVICORN_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return JWT.sub(REDACTED, TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text))


def redact_secrets(text: str) -> str:
    """`redact`, and the value of every field named like a secret blanked: for the dashboard,
    whose texts (parameters, log lines, errors) are the callers' and the actions' own."""
    return redact(SECRET_FIELD.sub(_blank, text))


def _blank(field: re.Match[str]) -> str:
    return field.group(1) + (f'"{REDACTED}"' if field.group(2).startswith('"') else REDACTED)


class TokenRedaction(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_uvicorn_logs() -> None:
    """Install the redaction on uvicorn's loggers (once per process)."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, TokenRedaction) for item in logger.filters):
            logger.addFilter(TokenRedaction())
