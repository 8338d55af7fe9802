"""What a page action may return instead of a plain model: a redirect, or a page with its own
status and headers.

    @action(triggers=WebPageTrigger(path="/items/{item_id}"))
    def item_page(item_id: str) -> Item | PageResponse | Redirect:
        if item_id in renamed:
            return Redirect(f"/items/{renamed[item_id]}", status=301)
        item = find(item_id)
        return item if item else PageResponse(None, status=404, template="templates/no_item.j2")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Redirect:
    """Send the browser to `location` (`status` 301, 302, 303, 307 or 308)."""

    location: str
    status: int = 302

    def __post_init__(self) -> None:
        if self.status not in REDIRECT_STATUSES:
            raise ValueError(f"a redirect's status is one of {sorted(REDIRECT_STATUSES)}, not {self.status}")


@dataclass(frozen=True)
class PageResponse:
    """A page with its own status and headers.

    `model` is rendered into the route's template, or into `template` when given; a
    `body` is sent as it is (already HTML) and no template is rendered.
    """

    model: Any = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    template: str | None = None
    body: str | None = None

    def __post_init__(self) -> None:
        if self.body is not None and (self.template is not None or self.model is not None):
            raise ValueError("a page response has a body or a model to render, not both")
