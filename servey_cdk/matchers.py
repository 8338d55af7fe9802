"""Matchers: stand-ins in an example's result for values that differ on every call.

`Example("create", {...}, {"id": ANY_UUID, "created": ANY_DATETIME})` holds for any
UUID and any datetime in those places. A matcher is anything with `matches(value)`
and a `marker`: the text that stands for it where the result must be JSON (the
AppSpec, the OpenAPI document), and from which the built-in ones are recovered when
a spec's examples are replayed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@runtime_checkable
class Matcher(Protocol):
    @property
    def marker(self) -> str:
        """The text that stands for it where a result must be JSON."""
        ...

    def matches(self, value: Any) -> bool:
        """Whether a JSON-shaped value (a datetime as ISO text, and so on) is one this stands for."""
        ...


@dataclasses.dataclass(frozen=True)
class ValueMatcher:
    """A matcher made of a test: the built-in ones, and a quick way to write another."""

    marker: str
    test: Callable[[Any], bool] = dataclasses.field(compare=False)

    def matches(self, value: Any) -> bool:
        return self.test(value)

    def __repr__(self) -> str:
        return self.marker


def _parses(parse: Callable[[str], Any]) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        try:
            parse(value)
        except (AttributeError, TypeError, ValueError):  # uuid.UUID(5) is an AttributeError
            return False
        return True

    return test


ANY = ValueMatcher("<any value>", lambda value: True)
ANY_DATETIME = ValueMatcher("<any datetime>", _parses(datetime.fromisoformat))
def _uuid(text: str) -> Any:
    import uuid  # here: uuid imports platform, which a Lambda's cold start need not pay for

    return uuid.UUID(text)


ANY_UUID = ValueMatcher("<any UUID>", _parses(_uuid))
BUILT_IN: dict[str, Matcher] = {matcher.marker: matcher for matcher in (ANY, ANY_DATETIME, ANY_UUID)}


def has_matcher(value: Any) -> bool:
    return any(isinstance(leaf, Matcher) for leaf in _leaves(value))


def expected_json(result: Any, adapter: TypeAdapter[Any], *, markers: bool = False) -> Any:
    """An example's result as JSON carries it, its matchers kept, or as their markers with `markers`.

    A result without matchers goes through the action's result type, as the answer does;
    one with matchers cannot (a matcher is no UUID), so its other values are made JSON-shaped
    as pydantic makes any value.
    """
    if not has_matcher(result):
        return adapter.dump_python(adapter.validate_python(result), mode="json")
    return _shaped(result, (lambda matcher: matcher.marker) if markers else (lambda matcher: matcher))


def from_markers(value: Any) -> Any:
    """A JSON result with the built-in matchers back in place of their markers: for replaying a spec."""
    if isinstance(value, str):
        return BUILT_IN.get(value, value)
    if isinstance(value, dict):
        return {key: from_markers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_markers(item) for item in value]
    return value


def settle(expected: Any, actual: Any) -> Any:
    """`expected` with each matcher that matches the value in its place in `actual` replaced by that
    value, so that `actual == settle(expected, actual)` holds exactly when the example does, and a
    failing comparison shows the usual difference."""
    if isinstance(expected, Matcher):
        return actual if expected.matches(actual) else expected
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: settle(item, actual.get(key)) for key, item in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [settle(item, other) for item, other in zip(expected, actual, strict=True)]
    return expected


def _shaped(value: Any, matcher_as: Callable[[Matcher], Any]) -> Any:
    from pydantic_core import to_jsonable_python

    if isinstance(value, Matcher):
        return matcher_as(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _shaped(item, matcher_as) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_shaped(item, matcher_as) for item in value]
    return to_jsonable_python(value)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Matcher):  # before the dataclass walk: a matcher may be a dataclass
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, field.name) for field in dataclasses.fields(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
