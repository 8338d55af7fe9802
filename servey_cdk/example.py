"""Examples: documentation, OpenAPI examples and tests in one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    """A call of an action and the result it gives.

    `include_in_tests` makes it a test (see `servey_cdk.testing`); `include_in_schema`
    puts it in the OpenAPI document.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    description: str | None = None
    include_in_tests: bool = True
    include_in_schema: bool = True
