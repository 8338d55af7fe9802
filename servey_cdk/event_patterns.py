"""EventBridge's event patterns: whether an event matches one, and what is wrong with one.

Pure stdlib, shared by the AppSpec builder (validation), the Lambda adapter (which of a
function's triggers an event is for) and the emulator (which triggers an event reaches).

The documented semantics: a pattern is an object whose leaves are arrays of matchers,
any of which may match (OR); every field of the pattern must match (AND); a field the
event lacks matches only `{"exists": false}`; an event array matches when any element
does. Matchers: a literal (string, number, boolean, null), `prefix`, `suffix`,
`anything-but` (a value, a list, or `prefix`/`suffix`/`equals-ignore-case`), `numeric`
(one or two comparisons), `exists`, `equals-ignore-case`, `wildcard`, `cidr`; `$or`
takes a list of patterns at any level.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

OPERATORS = (
    "prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "wildcard", "cidr",
)  # fmt: skip
_COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_MISSING = object()


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Whether `event` (a JSON object) matches `pattern`."""
    if not isinstance(event, Mapping):
        return False
    for key, wanted in pattern.items():
        if key == "$or":
            if not any(matches(choice, event) for choice in wanted):
                return False
            continue
        value = event.get(key, _MISSING)
        if isinstance(wanted, Mapping):
            if value is _MISSING:
                return False
            candidates = value if isinstance(value, list) else [value]
            if not any(matches(wanted, candidate) for candidate in candidates):
                return False
        elif not _leaf_matches(wanted, value):
            return False
    return True


def _leaf_matches(matchers: list[Any], value: Any) -> bool:
    if value is _MISSING:
        return any(isinstance(m, Mapping) and m.get("exists") is False for m in matchers)
    values = value if isinstance(value, list) else [value]
    return any(_matches_one(matcher, item) for matcher in matchers for item in values)


def _matches_one(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return _equal(matcher, value)
    ((operator, operand),) = matcher.items()
    if operator == "exists":
        return operand is True
    if operator == "anything-but":
        if isinstance(operand, Mapping):
            return isinstance(value, str) and not _matches_one(operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_equal(item, value) for item in excluded)
    if operator == "numeric":
        return _is_number(value) and all(
            _COMPARISONS[operand[i]](value, operand[i + 1]) for i in range(0, len(operand), 2)
        )
    if not isinstance(value, str):
        return False
    if operator in ("prefix", "suffix"):
        ignore_case = isinstance(operand, Mapping)
        text = operand["equals-ignore-case"] if ignore_case else operand
        subject, text = (value.lower(), text.lower()) if ignore_case else (value, text)
        return subject.startswith(text) if operator == "prefix" else subject.endswith(text)
    if operator == "equals-ignore-case":
        return value.lower() == str(operand).lower()
    if operator == "wildcard":
        regex = ".*".join(re.escape(part) for part in str(operand).split("*"))
        return re.fullmatch(regex, value, re.DOTALL) is not None
    if operator == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
        except ValueError:
            return False
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(literal: Any, value: Any) -> bool:
    if _is_number(literal) and _is_number(value):
        return bool(literal == value)
    return type(literal) is type(value) and literal == value


def pattern_problems(pattern: Any, where: str = "pattern") -> list[str]:
    """What EventBridge would refuse in a pattern, each naming its path; empty when it is valid."""
    if not isinstance(pattern, Mapping):
        return [f"{where}: a pattern is a JSON object, not {type(pattern).__name__}"]
    problems: list[str] = []
    for key, wanted in pattern.items():
        path = f"{where}.{key}"
        if key == "$or":
            if not isinstance(wanted, list) or len(wanted) < 2:
                problems.append(f"{path}: $or takes a list of at least two patterns")
            else:
                for index, choice in enumerate(wanted):
                    problems += pattern_problems(choice, f"{path}[{index}]")
        elif isinstance(wanted, Mapping):
            empty = [f"{path}: an empty object matches nothing"]
            problems += pattern_problems(wanted, path) if wanted else empty
        elif not isinstance(wanted, list) or not wanted:
            problems.append(f"{path}: a pattern's leaf is a non-empty list of matchers")
        else:
            problems += [p for matcher in wanted for p in _matcher_problems(matcher, path)]
    return problems


def _matcher_problems(matcher: Any, path: str) -> list[str]:
    if matcher is None or isinstance(matcher, str | bool) or _is_number(matcher):
        return []
    if not isinstance(matcher, Mapping) or len(matcher) != 1:
        return [f"{path}: a matcher is a value or an object of one operator, not {matcher!r}"]
    ((operator, operand),) = matcher.items()
    if operator not in OPERATORS:
        return [f"{path}: {operator!r} is not an EventBridge operator (known: {', '.join(OPERATORS)})"]
    ok = True
    if operator in ("prefix", "suffix"):
        ok = isinstance(operand, str) or (
            isinstance(operand, Mapping)
            and set(operand) == {"equals-ignore-case"}
            and isinstance(operand["equals-ignore-case"], str)
        )
    elif operator in ("equals-ignore-case", "wildcard"):
        ok = isinstance(operand, str)
    elif operator == "exists":
        ok = isinstance(operand, bool)
    elif operator == "cidr":
        try:
            ipaddress.ip_network(operand, strict=False)
        except (TypeError, ValueError):
            ok = False
    elif operator == "numeric":
        ok = _numeric_ok(operand)
    elif operator == "anything-but":
        if isinstance(operand, Mapping):
            ok = len(operand) == 1 and next(iter(operand)) in ("prefix", "suffix", "equals-ignore-case")
            ok = ok and not _matcher_problems(operand, path)
        elif isinstance(operand, list):
            ok = bool(operand) and all(isinstance(item, str) or _is_number(item) for item in operand)
        else:
            ok = isinstance(operand, str) or _is_number(operand)
    return [] if ok else [f"{path}: {operator!r} does not take {operand!r}"]


def _numeric_ok(operand: Any) -> bool:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        return False
    pairs = [(operand[i], operand[i + 1]) for i in range(0, len(operand), 2)]
    if not all(op in _COMPARISONS and _is_number(number) for op, number in pairs):
        return False
    if len(pairs) == 2:
        (low, low_n), (high, high_n) = pairs
        return low in (">", ">=") and high in ("<", "<=") and low_n < high_n
    return True
