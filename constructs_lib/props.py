"""Props overrides: merged over the defaults, validated up front, all conflicts in one error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Props = Mapping[str, Any]


class PropsError(ValueError):
    """Props that cannot be honoured; lists every problem at once."""

    def __init__(self, construct: str, problems: Iterable[str]) -> None:
        self.construct = construct
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{construct}: {len(self.problems)} invalid prop(s):\n{lines}")


def owned_keys_problems(prop_name: str, overrides: Props | None, owned: Iterable[str]) -> list[str]:
    """Keys a construct sets from the AppSpec itself cannot be overridden."""
    taken = sorted(set(overrides or {}) & set(owned))
    return [f"{prop_name}[{key!r}] is set from the app's spec and cannot be overridden" for key in taken]


def unknown_names_problems(prop_name: str, given: Iterable[str], known: Iterable[str]) -> list[str]:
    known_names = set(known)
    return [
        f"{prop_name}[{name!r}] names nothing in the app (known: {', '.join(sorted(known_names)) or 'none'})"
        for name in sorted(set(given) - known_names)
    ]


def raise_if_any(construct: str, problems: list[str]) -> None:
    if problems:
        raise PropsError(construct, problems)


def merged(defaults: Props, overrides: Props | None) -> dict[str, Any]:
    return {**defaults, **(overrides or {})}
