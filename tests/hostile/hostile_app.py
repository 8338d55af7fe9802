"""An app whose inputs an attacker controls: a one-model body, a free-form document, a queue, a channel."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from servey_cdk import SubscriptionTrigger, WebTrigger, action, subscription


class Note(BaseModel):
    title: str
    tags: list[str] = []


notes = subscription(str, "notes")
RECEIVED: list[str] = []


@action(triggers=WebTrigger("POST", "/notes"))
def add_note(note: Note) -> Note:
    """A route whose whole JSON body is its one model."""
    return note


@action(triggers=WebTrigger("POST", "/documents"))
def store_document(document: dict[str, Any]) -> int:
    """Takes any JSON object, as far as it nests."""
    return len(document)


@action(triggers=SubscriptionTrigger(notes))
def receive_note(text: str) -> int:
    RECEIVED.append(text)
    return len(RECEIVED)


@action(triggers=WebTrigger("GET", "/echo"))
def echo(text: str) -> str | None:
    """A cheap, nullable query field, for queries that ask for it many times over."""
    return text


@action(triggers=WebTrigger("POST", "/shout"), publishes=notes)
def shout(text: str) -> bool:
    """Publishes to every subscriber of `notes`."""
    notes.publish(text)
    return True
