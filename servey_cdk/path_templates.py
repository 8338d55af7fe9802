"""Matching a request path to a route's path template, as API Gateway matches resources.

The path is matched as sent, percent-encoded: a literal segment matches the segment
once decoded, and a `{name}` segment takes the segment still encoded, as API Gateway
puts it in `pathParameters` (an encoded `/`, `%2F`, stays inside its segment). A last
segment `{name+}` is greedy: it takes the rest of the path, one segment or more. The
runtime decodes parameters when it reads them (`decoded_parameters`), so an action
gets `"42"` for `/items/%34%32` on AWS and locally alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

# What API Gateway takes as one resource's path part: a literal, `{name}` or `{name+}`.
_LITERAL = re.compile(r"[A-Za-z0-9:._$-]+")
_PARAMETER = re.compile(r"\{([A-Za-z0-9:._$-]+)(\+?)\}")


class PathTemplate:
    """`/items/{item_id}`: its segments, each a literal or a parameter's name; `greedy` when the
    last is `{name+}`."""

    __slots__ = ("greedy", "parameters", "segments", "template")

    def __init__(self, template: str) -> None:
        self.template = template
        parts = _segments(template)
        self.greedy = bool(parts) and parts[-1].endswith("+}")
        self.segments: tuple[tuple[bool, str], ...] = tuple(
            (part.startswith("{") and part.endswith("}"), part.strip("{}").rstrip("+")) for part in parts
        )
        self.parameters = tuple(name for is_parameter, name in self.segments if is_parameter)

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The path parameters (encoded, as sent) when `raw_path` is on this template, else None."""
        given = _segments(raw_path)
        count = len(self.segments)
        if len(given) != count and not (self.greedy and len(given) > count):
            return None
        found: dict[str, str] = {}
        for (is_parameter, name), segment in zip(self.segments, given, strict=False):
            if is_parameter:
                if not segment:
                    return None
                found[name] = segment
            elif name != (unquote(segment) if "%" in segment else segment):
                return None
        if self.greedy:
            found[self.parameters[-1]] = "/".join(given[count - 1 :])
        return found


def templates_in_match_order(paths: Iterable[str]) -> list[PathTemplate]:
    """The most specific first, as API Gateway picks: `/items/new` before `/items/{item_id}`, and a
    greedy `{path+}` after every other template."""
    return sorted(map(PathTemplate, paths), key=lambda t: (t.greedy, len(t.parameters), t.template))


def path_problems(template: str) -> list[str]:
    """What API Gateway would refuse in a route's path, each naming the part at fault."""
    if not template.startswith("/"):
        return ["a path must start with '/'"]
    parts = _segments(template)
    problems = []
    for index, part in enumerate(parts):
        parameter = _PARAMETER.fullmatch(part)
        if parameter is not None:
            if parameter.group(2) and index != len(parts) - 1:
                problems.append(f"the greedy {part} must be the path's last part")
        elif not _LITERAL.fullmatch(part):
            problems.append(
                f"API Gateway cannot route {part!r}: a path part is letters, digits and ':._$-', or one "
                "whole {parameter} (or a last, greedy {parameter+}); no patterns or regular expressions"
            )
    return problems


def decoded_parameters(parameters: Mapping[str, str]) -> dict[str, str]:
    """Path parameters as an action receives them: percent-decoded."""
    return {name: unquote(value) if "%" in value else value for name, value in parameters.items()}


def _segments(path: str) -> list[str]:
    """`/a/b/` → `["a", "b"]`: one trailing slash is the same resource, as API Gateway treats it."""
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    return trimmed.split("/") if trimmed else []
