"""JSON from callers, bounded: a malformed or too deeply nested value is a 422 naming it, never a crash.

Python's parser recurses once per level and raises `RecursionError` near a thousand
levels; pydantic's serializer gives up near five hundred. `MAX_DEPTH` is far more than
any real input nests and far below both. Text too deep to parse is refused where it
is parsed; every parameter, whatever its source, is checked on its way into an action.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from servey_cdk.errors import InvalidInput

MAX_DEPTH = 32


def parse_json(text: str | bytes, what: str, loc: Sequence[str | int]) -> Any:
    """`text` as JSON; `what` names it in the error (e.g. "the body for action 'x'")."""
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(what, loc) from None
    except (ValueError, UnicodeDecodeError) as error:
        message = f"not valid JSON ({error})"
        detail = [{"loc": list(loc), "msg": message, "type": "json_invalid"}]
        raise InvalidInput(f"{what} is {message}", detail) from None


def check_depth(value: Any, what: str, loc: Sequence[str | int]) -> None:
    """Refuse `value` if its lists and objects nest deeper than `MAX_DEPTH`."""
    if type(value) is not dict and type(value) is not list:
        return  # scalars, the common case, cost one check
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        container, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise too_deep(what, loc)
        children = container.values() if type(container) is dict else container
        for child in children:
            if type(child) is dict or type(child) is list:
                pending.append((child, depth + 1))


def too_deep(what: str, loc: Sequence[str | int]) -> InvalidInput:
    message = f"nested deeper than {MAX_DEPTH} levels"
    return InvalidInput(f"{what} is {message}", [{"loc": list(loc), "msg": message, "type": "too_deep"}])
