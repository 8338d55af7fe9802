"""The verified identity of a caller, injected into actions that ask for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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


def claims_of(authorization: Authorization) -> dict[str, str]:
    """An authorization as JWT-named claims, every value text: `sub`, `scope` (space-separated),
    and `nbf` and `exp` (epoch seconds) where it has them. What AppSync's resolver context and the
    connections table keep."""
    claims = {"scope": " ".join(sorted(authorization.scopes))}
    if authorization.subject_id is not None:
        claims["sub"] = authorization.subject_id
    for name, moment in (("nbf", authorization.not_before), ("exp", authorization.expire_at)):
        if moment is not None:
            claims[name] = str(int(moment.timestamp()))
    return claims


def authorization_from_claims(claims: Mapping[str, Any]) -> Authorization:
    """Claims (verified already) as an Authorization; `claims_of` undone."""
    subject = claims.get("sub")
    return Authorization(
        subject_id=None if subject is None else str(subject),
        scopes=frozenset(str(claims.get("scope") or "").split()),
        not_before=_moment(claims.get("nbf")),
        expire_at=_moment(claims.get("exp")),
    )


def _moment(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None
