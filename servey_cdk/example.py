"""Examples: documentation, OpenAPI examples and tests in one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from servey_cdk.authorization import Authorization


@dataclass(frozen=True)
class Example:
    """A call of an action and the result it gives.

    `include_in_tests` makes it a test (see `servey_cdk.testing`); `include_in_schema`
    puts it in the OpenAPI document. The caller is `authorization`, else a user holding
    `scopes`, else (for an action that needs a token) a user holding every scope the app
    names. `owner` is the object a nested action is a method of, as a value of its type
    or its JSON form. `result` may hold matchers (`ANY_UUID`, …) where values vary.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    description: str | None = None
    include_in_tests: bool = True
    include_in_schema: bool = True
    scopes: tuple[str, ...] | None = None
    authorization: Authorization | None = None
    owner: Any = None

    def __post_init__(self) -> None:
        if self.scopes is not None and self.authorization is not None:
            raise ValueError(f"example {self.name!r}: give scopes or an authorization, not both")
        if isinstance(self.scopes, str):
            raise TypeError(f"example {self.name!r}: scopes is a tuple of scopes, e.g. ('root',)")

    @property
    def caller_scopes(self) -> tuple[str, ...] | None:
        """The scopes its caller holds, when the example names its caller."""
        if self.authorization is not None:
            return tuple(sorted(self.authorization.scopes))
        return self.scopes
