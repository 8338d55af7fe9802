"""Access control: may this caller run this action?

One model for every entry point (REST, GraphQL fields, websockets, direct invokes):
the runtime asks `is_executable`, and answers 401 when the caller has no
authorization and 403 when the authorization it has is not enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from servey_cdk.authorization import Authorization
from servey_cdk.errors import Forbidden, Unauthorized


def check_access(
    control: AccessControl, authorization: Authorization | None, what: str, without: str = "a valid token"
) -> None:
    """The one 401-or-403 decision: refuse a caller `control` does not let use `what` (e.g. "action
    'x'") with 401 when it has no authorization (it needs `without`), else with 403."""
    if control.is_executable(authorization):
        return
    if authorization is None:
        raise Unauthorized(f"{what} needs {without}")
    raise Forbidden(f"the token does not allow {what}")


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
