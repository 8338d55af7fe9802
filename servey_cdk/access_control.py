"""Access control: may this caller run this action?

One model for every entry point (REST, GraphQL fields, websockets, direct invokes):
the runtime asks `is_executable`, and answers 401 when the caller has no
authorization and 403 when the authorization it has is not enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from servey_cdk.authorization import Authorization


@runtime_checkable
class AccessControl(Protocol):
    """Implement this for custom rules (ownership, time windows, feature flags)."""

    @property
    def requires_token(self) -> bool:
        """Whether a caller without a token can ever pass (documents the API)."""
        ...

    def is_executable(self, authorization: Authorization | None) -> bool: ...


@dataclass(frozen=True)
class AllowAll:
    """Anybody may run the action (the default)."""

    @property
    def requires_token(self) -> bool:
        return False

    def is_executable(self, authorization: Authorization | None) -> bool:
        return True


@dataclass(frozen=True)
class AllowNone:
    """Nobody may run the action from outside; it stays callable in Python."""

    @property
    def requires_token(self) -> bool:
        return True

    def is_executable(self, authorization: Authorization | None) -> bool:
        return False


@dataclass(frozen=True)
class ScopeAccessControl:
    """A valid authorization holding `execute_scope` is required."""

    execute_scope: str

    @property
    def requires_token(self) -> bool:
        return True

    def is_executable(self, authorization: Authorization | None) -> bool:
        return (
            authorization is not None
            and authorization.is_valid_at()
            and authorization.has_scope(self.execute_scope)
        )
