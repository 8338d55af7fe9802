"""What a REST action may return instead of a plain value: its result with a status, headers and cookies.

    @action(triggers=WebTrigger("POST", "/items", status=201))
    def create_item(item: NewItem) -> Response[Item]:
        created = store(item)
        return Response(created, status=201, headers={"Location": f"/items/{created.item_id}"})

The body is dumped as the action's result type `Item` (the schemas say so), so GraphQL
fields, direct invokes and queues get `created` itself; only REST sends the status,
headers and cookies. A 204 or 304 has no body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, get_args, get_origin

T = TypeVar("T")
NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True)
class Response(Generic[T]):
    """`cookies` are `Set-Cookie` values, e.g. `"session=abc; HttpOnly; Secure; SameSite=Lax"`."""

    body: T
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 200 <= self.status <= 599:
            raise ValueError(f"an action's response status is 200-599, not {self.status}")
        if self.status in NO_BODY_STATUSES and self.body is not None:
            raise ValueError(f"a {self.status} response has no body; give None")


def result_type(annotation: Any) -> Any:
    """The type an action's result is dumped as: `T` of `Response[T]`, else the annotation itself."""
    if annotation is Response:
        return Any
    if get_origin(annotation) is Response:
        (inner,) = get_args(annotation)
        return inner
    return annotation
