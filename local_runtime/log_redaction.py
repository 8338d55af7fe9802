"""No token in servey-local's log: uvicorn's access and error lines print each URL with its query.

Every log line uvicorn writes has its `token=` values, and anything shaped like a JWT,
replaced (`servey_cdk.redaction`) before it is written.
"""

from __future__ import annotations

import logging
import re

from servey_cdk.redaction import REDACTED as REDACTED  # the dashboard's too
from servey_cdk.redaction import redact

SECRET_NAME = re.compile(r"password|passwd|secret|token|authorization|cookie|api[_-]?key|credential", re.I)
# A field and its value: `"name": "…"`, `name=…`, `Authorization: Bearer …`. A name starts only where no
# word character precedes it, so that a long word costs one pass, not one per character.
FIELD = re.compile(
    r"""(?<![\w-])("?[\w-]+"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|(?:bearer\s+)?[^&\s,;{}\[\]"]+)""", re.I
)
# A field whose quoted value the cut ends before its closing quote.
UNCLOSED_FIELD = re.compile(r"""(?<![\w-])("?[\w-]+"?\s*[:=]\s*)"(?:[^"\\]|\\.)*\Z""")
UVICORN_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact_secrets(text: str, limit: int) -> str:
    """At most `limit` characters of `text` (a longer one says its length), with `redact`'s tokens and
    the value of every field named like a secret blanked: for the dashboard, whose texts (parameters,
    log lines, errors) are the callers' and the actions' own. Redacted before it is cut, so that no
    secret is cut in two first; and only twice `limit` of it is read, whatever its length."""
    read = text[: 2 * limit]
    shown = FIELD.sub(_blank_secret, read)
    if len(read) < len(text):  # a secret's value the cut left open is blanked as well
        shown = UNCLOSED_FIELD.sub(_blank_unclosed, shown)
    shown = redact(shown)
    if len(shown) <= limit and len(text) <= 2 * limit:
        return shown
    return f"{shown[:limit]}… ({len(text)} characters)"


def _blank_secret(field: re.Match[str]) -> str:
    name, value = field.groups()
    if not SECRET_NAME.search(name):
        return field.group(0)
    return name + (f'"{REDACTED}"' if value.startswith('"') else REDACTED)


def _blank_unclosed(field: re.Match[str]) -> str:
    name = field.group(1)
    return f'{name}"{REDACTED}' if SECRET_NAME.search(name) else field.group(0)


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
