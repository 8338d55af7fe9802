"""Type aliases shared by the emulator's modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from local_runtime.lambda_context import LambdaContext

Event = dict[str, Any]
"""A JSON-shaped event, as an AWS service sends it to Lambda."""

Handler = Callable[[Any, LambdaContext], Any]
"""A Lambda entry point: `handler(event, context)`, called exactly as Lambda calls it."""


class Queue(Protocol):
    """A queue whose messages go to its function, as an event source mapping delivers them."""

    async def run(self) -> None:
        """Deliver messages until cancelled."""

    def to_dict(self) -> dict[str, Any]:
        """The queue as `/_servey/queues` shows it: its name, depth and messages."""
