"""Type aliases shared by the emulator's modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_runtime.lambda_context import LambdaContext

Event = dict[str, Any]
"""A JSON-shaped event, as an AWS service sends it to Lambda."""

Handler = Callable[[Any, LambdaContext], Any]
"""A Lambda entry point: `handler(event, context)`, called exactly as Lambda calls it."""
