"""Matching a request path to a route's path template, as API Gateway matches resources.

The path is matched as sent, percent-encoded: a literal segment matches the segment
once decoded, and a `{name}` segment takes the segment still encoded, as API Gateway
puts it in `pathParameters` (an encoded `/`, `%2F`, stays inside its segment). The
runtime decodes parameters when it reads them (`decoded_parameters`), so an action
gets `"42"` for `/items/%34%32` on AWS and locally alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote


class PathTemplate:
    """`/items/{item_id}`: its segments, each a literal or a parameter's name."""

    __slots__ = ("parameters", "segments", "template")

    def __init__(self, template: str) -> None:
        self.template = template
        self.segments: tuple[tuple[bool, str], ...] = tuple(
            (segment.startswith("{") and segment.endswith("}"), segment.strip("{}"))
            for segment in _segments(template)
        )
        self.parameters = tuple(name for is_parameter, name in self.segments if is_parameter)

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The path parameters (encoded, as sent) when `raw_path` is on this template, else None."""
        given = _segments(raw_path)
        if len(given) != len(self.segments):
            return None
        found: dict[str, str] = {}
        for (is_parameter, name), segment in zip(self.segments, given, strict=True):
            if is_parameter:
                if not segment:
                    return None
                found[name] = segment
            elif name != (unquote(segment) if "%" in segment else segment):
                return None
        return found


def templates_in_match_order(paths: Iterable[str]) -> list[PathTemplate]:
    """Literal paths first, so `/items/new` wins over `/items/{item_id}`, as API Gateway picks."""
    return sorted(map(PathTemplate, paths), key=lambda t: (len(t.parameters), t.template))


def decoded_parameters(parameters: Mapping[str, str]) -> dict[str, str]:
    """Path parameters as an action receives them: percent-decoded."""
    return {name: unquote(value) if "%" in value else value for name, value in parameters.items()}


def _segments(path: str) -> list[str]:
    """`/a/b/` → `["a", "b"]`: one trailing slash is the same resource, as API Gateway treats it."""
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    return trimmed.split("/") if trimmed else []
