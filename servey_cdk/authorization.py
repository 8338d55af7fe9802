"""The verified identity of a caller, injected into actions that ask for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Authorization:
    """Who is calling and what they may do, as read from a verified token.

    An action parameter typed `Authorization` (or `Optional[Authorization]`) is filled
    from the token the runtime verified; it is never read from the caller's input.
    """

    subject_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    not_before: datetime | None = None
    expire_at: datetime | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_valid_at(self, moment: datetime | None = None) -> bool:
        moment = moment or datetime.now(UTC)
        if self.not_before is not None and moment < self.not_before:
            return False
        return self.expire_at is None or moment < self.expire_at
