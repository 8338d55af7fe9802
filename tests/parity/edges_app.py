"""An app at AWS's edges: encoded path parameters, big answers, slow actions."""

from __future__ import annotations

import time

from servey_cdk import WEB_GET, WebTrigger, action

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
