"""An app at AWS's edges: encoded path parameters, big answers, slow actions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from servey_cdk import WEB_GET, Response, TimestampCacheControl, WebTrigger, action

MB = 1024 * 1024


@action(triggers=WebTrigger("GET", "/numbers/{n}"))
def number(n: int) -> int:
    return n


@action(triggers=WebTrigger("GET", "/names/{name}"))
def name_of(name: str) -> str:
    return name


@action(triggers=WEB_GET)
def big(megabytes: float) -> str:
    return "x" * int(megabytes * MB)


@action(triggers=WEB_GET, timeout=1)
def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


@action(triggers=WebTrigger("GET", "/files/{key+}"))
def file_key(key: str) -> str:
    return key


@dataclass
class Note:
    note_id: int
    text: str


@action(triggers=WebTrigger("POST", "/notes", status=201))
def add_note(text: str) -> Response[Note]:
    note = Note(7, text)
    headers = {"Location": f"/notes/{note.note_id}", "X-Note-Count": "1"}
    return Response(note, status=201, headers=headers, cookies=("last_note=7; Path=/; HttpOnly",))


@action(triggers=WebTrigger("DELETE", "/notes/{note_id}", status=204))
def drop_note(note_id: int) -> None:
    return None


@dataclass
class Page:
    title: str
    updated_at: datetime


@action(triggers=WebTrigger("GET", "/pages/{title}"), cache_control=TimestampCacheControl("updated_at"))
def page_of(title: str) -> Page:
    return Page(title, datetime(2026, 11, 30, 9, 15, 42, 512_000, tzinfo=UTC))


@dataclass
class NumberStats:
    value: int

    @action(triggers=WebTrigger("GET", "/factorials"))
    async def factorial_coroutine(self, offset: int = 0) -> int:
        """The seed's nested action with a web trigger: its parent comes from the query."""
        result = 1
        for factor in range(2, self.value + 1):
            result *= factor
        return result + offset


@action(triggers=WEB_GET)
def number_stats(value: int) -> NumberStats:
    return NumberStats(value)
