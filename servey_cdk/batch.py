"""Batch functions: one call resolves a nested field for many parent objects.

    @dataclass
    class Book:
        title: str
        author_id: int

        @action(batch=True, batch_size=50)
        @staticmethod
        def author(books: list[Book]) -> list[Author | LookupError]:
            found = authors_by_id({book.author_id for book in books})
            return [found.get(book.author_id) or LookupError(book.author_id) for book in books]

The first parameter takes the parents (AppSync's batch of sources, validated one by one);
any others are the field's GraphQL arguments, as for any action. The result is a list of
one item per parent, in their order; an item that is an exception is that parent's error
alone. The field's GraphQL type is the item type, nullable when an item may be an error.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Sequence
from typing import Any

from servey_cdk.action import Action
from servey_cdk.annotations import is_union
from servey_cdk.errors import ActionFailed, BatchMismatch, ServeyError
from servey_cdk.responses import result_type

MAX_BATCH_SIZE = 2000  # AppSync's ceiling for a resolver's maxBatchSize
_LISTS = (list, Sequence, tuple)


def batch_item_type(annotation: Any) -> Any | None:
    """One parent's result: `list[X]` → X, and `list[X | SomeError]` → `X | None`, since a parent
    whose item is an error gets null in its field; None when the annotation is no list."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin not in _LISTS or not args or (origin is tuple and args[1:] != (...,)):
        return None
    members = typing.get_args(args[0]) if is_union(args[0]) else (args[0],)
    kept = tuple(member for member in members if not _is_exception_type(member))
    if len(kept) == len(members):
        return args[0]
    return typing.Union[(*kept, type(None))] if kept else Any


def batch_problems(action: Action, owner: type | None) -> list[str]:
    """What makes a batch function unable to answer one result per parent, in order."""
    where = f"action {action.name!r}"
    problems = []
    if owner is None:
        problems.append(f"{where}: a batch function resolves a nested field: define it on its parent type")
    if not inspect.signature(action.fn).parameters:
        problems.append(f"{where}: a batch function takes the list of parent objects as its first parameter")
    try:
        returns = result_type(typing.get_type_hints(action.fn).get("return", Any))
    except NameError:  # `signature_of` reports the hint it cannot resolve
        return problems
    if batch_item_type(returns) is None:
        problems.append(
            f"{where}: a batch function returns one result per parent, in order: declare it as "
            f"returning a list (it is declared as returning {_name(returns)})"
        )
    if action.batch_size is not None and not 1 <= action.batch_size <= MAX_BATCH_SIZE:
        problems.append(f"{where}: batch_size {action.batch_size} is outside AppSync's 1-{MAX_BATCH_SIZE}")
    return problems


def batch_outcomes(action_name: str, results: Any, count: int) -> list[Any]:
    """Each parent's result, or its `ServeyError`: every item's an error naming the action when
    the function did not return a list of `count` results."""
    if not isinstance(results, list | tuple) or len(results) != count:
        got = f"{len(results)} results" if isinstance(results, list | tuple) else type(results).__name__
        mismatch = BatchMismatch(f"batch function {action_name!r} returned {got} for {count} parents")
        return [mismatch] * count
    return [_outcome(action_name, item) for item in results]


def _outcome(action_name: str, item: Any) -> Any:
    if isinstance(item, ServeyError):
        return item
    if isinstance(item, Exception):  # the action's own error: logged with its cause, told to no caller
        failed = ActionFailed(action_name)
        failed.__cause__ = item
        return failed
    return item


def _is_exception_type(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseException)


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)
