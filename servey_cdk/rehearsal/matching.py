"""Values made to meet an EventBridge pattern or an SNS filter policy, from the literal values they allow.

A rule's target is rehearsed with an event its pattern matches, and an SNS subscriber with
attributes its filter policy passes. Both are built from the first literal value (a string,
number, boolean or null) each field allows, the first workable alternative of an `$or`, and
no field where `{"exists": false}` is allowed. A field allowing only conditions
(`prefix`, `numeric`, `anything-but`, …) has no value to take: `NoLiteral` names it.
"""

from __future__ import annotations

import json
from typing import Any

OR = "$or"


class NoLiteral(ValueError):
    """A field of a pattern that allows no literal value; the message names the field."""


def matching_values(pattern: dict[str, Any], where: str = "") -> dict[str, Any]:
    """A JSON object that holds, at each of the pattern's fields, a literal value it allows."""
    if OR in pattern:
        rest = {key: value for key, value in pattern.items() if key != OR}
        problems = []
        for alternative in pattern[OR]:
            try:
                return matching_values({**rest, **alternative}, where)
            except NoLiteral as error:
                problems.append(str(error))
        raise NoLiteral(" and ".join(problems))
    built: dict[str, Any] = {}
    for key, allowed in pattern.items():
        field = f"{where}.{key}" if where else key
        if isinstance(allowed, dict):
            built[key] = matching_values(allowed, field)
            continue
        conditions = allowed if isinstance(allowed, list) else [allowed]
        literals = [value for value in conditions if not isinstance(value, dict)]
        if literals:
            built[key] = literals[0]
        elif {"exists": False} not in conditions:
            raise NoLiteral(f"{field} allows no literal value ({json.dumps(allowed)})")
    return built
