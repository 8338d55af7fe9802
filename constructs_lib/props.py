"""Props overrides: merged over the defaults, validated up front, all conflicts in one error.

An override is checked against the CDK class it is passed to: its keys must be keyword
parameters of that class's `__init__` (read by `inspect.signature`, so the list follows the
installed aws-cdk-lib), and none may be a key servey-cdk sets itself.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

Props = Mapping[str, Any]
SET_FROM_SPEC = "is set from the app's spec and cannot be overridden"


class PropsError(ValueError):
    """Props that cannot be honoured; lists every problem at once."""

    def __init__(self, construct: str, problems: Iterable[str]) -> None:
        self.construct = construct
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{construct}: {len(self.problems)} invalid prop(s):\n{lines}")


@cache
def keyword_props(cdk_class: type) -> tuple[str, ...]:
    """The props a CDK construct or struct takes: the keyword-only parameters of its `__init__`."""
    parameters = inspect.signature(cdk_class.__init__).parameters.values()  # type: ignore[misc]
    return tuple(sorted(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY))


def cdk_name(cdk_class: type) -> str:
    """`aws_cdk.aws_apigateway.RestApi` → `aws_apigateway.RestApi`."""
    return f"{cdk_class.__module__.removeprefix('aws_cdk.')}.{cdk_class.__qualname__}"


def unknown_props_problems(prop_name: str, overrides: Props | None, cdk_class: type) -> list[str]:
    """Each key of `overrides` that `cdk_class` takes no prop of, with the closest prop it does take."""
    known = keyword_props(cdk_class)
    problems = []
    for key in sorted(set(overrides or {}) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"{prop_name}[{key!r}] is not a prop of {cdk_name(cdk_class)}{hint}")
    return problems


def owned_keys_problems(
    prop_name: str, overrides: Props | None, owned: Iterable[str], why: str = SET_FROM_SPEC
) -> list[str]:
    """Keys a construct sets itself (from the AppSpec, or once per resource) cannot be overridden."""
    taken = sorted(set(overrides or {}) & set(owned))
    return [f"{prop_name}[{key!r}] {why}" for key in taken]


def override_problems(
    prop_name: str, overrides: Props | None, cdk_class: type, owned: Iterable[str] = ()
) -> list[str]:
    """The unknown keys of an override of `cdk_class`'s props, then the keys servey-cdk sets."""
    return unknown_props_problems(prop_name, overrides, cdk_class) + owned_keys_problems(
        prop_name, overrides, owned
    )


def existing_problems(
    prop_name: str, overrides: Props | None, existing_name: str, existing: object
) -> list[str]:
    """Props of a resource that is given, not made, would be ignored."""
    if overrides and existing is not None:
        return [f"give {prop_name} or {existing_name}, not both: {existing_name} is used as it is"]
    return []


def unknown_names_problems(prop_name: str, given: Iterable[str], known: Iterable[str]) -> list[str]:
    known_names = set(known)
    return [
        f"{prop_name}[{name!r}] names nothing in the app (known: {', '.join(sorted(known_names)) or 'none'})"
        for name in sorted(set(given) - known_names)
    ]


def raise_if_any(construct: str, problems: Iterable[str]) -> None:
    """Raise one PropsError naming `construct` with every problem, each once, in order."""
    unique = list(dict.fromkeys(problems))
    if unique:
        raise PropsError(construct, unique)


def merged(defaults: Props, overrides: Props | None) -> dict[str, Any]:
    return {**defaults, **(overrides or {})}
