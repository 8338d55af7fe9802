"""AppSync's events: a direct Lambda resolver's for one field, and its Lambda authorizer's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionSetNode
from graphql.language.printer import print_ast

from local_runtime.lambda_context import ACCOUNT_ID
from local_runtime.rest_event import API_ID
from local_runtime.types import Event

if TYPE_CHECKING:
    from local_runtime.graphql_batch import BatchLoader


@dataclass
class GraphQLRequest:
    """What every resolver event of one GraphQL request shares."""

    headers: dict[str, str]
    identity: dict[str, Any] | None
    variables: dict[str, Any]
    loaders: dict[tuple[str, str], BatchLoader] = field(default_factory=dict)
    resolved: int = 0  # resolver invocations so far, held to the limit AppSync's ResolverCountLimit sets


def authorizer_event(
    token: str, headers: dict[str, str], query: str, operation: str | None, variables: dict[str, Any] | None
) -> Event:
    """What AppSync sends its Lambda authorizer for a request carrying an `Authorization` header."""
    return {
        "authorizationToken": token,
        "requestContext": {
            "apiId": API_ID,
            "accountId": ACCOUNT_ID,
            "requestId": str(uuid.uuid4()),
            "queryString": query,
            "operationName": operation,
            "variables": variables or {},
        },
        "requestHeaders": headers,
    }


def resolver_event(
    info: GraphQLResolveInfo[GraphQLRequest],
    arguments: Mapping[str, Any],
    source: Any,
    request: GraphQLRequest,
) -> Event:
    selection_set = _merged_selection_set(info)
    return {
        "arguments": dict(arguments),
        "identity": request.identity,
        "source": source,
        "request": {"headers": request.headers, "domainName": None},
        "prev": None,
        "info": {
            "selectionSetList": list(_selection_paths(info, selection_set, "")) if selection_set else [],
            "selectionSetGraphQL": print_ast(selection_set) if selection_set else "",
            "parentTypeName": info.parent_type.name,
            "fieldName": info.field_name,
            "variables": request.variables,
        },
        "stash": {},
    }


def _merged_selection_set(info: GraphQLResolveInfo[GraphQLRequest]) -> SelectionSetNode | None:
    selections = [
        selection
        for node in info.field_nodes
        if node.selection_set is not None
        for selection in node.selection_set.selections
    ]
    return SelectionSetNode(selections=tuple(selections)) if selections else None


def _selection_paths(
    info: GraphQLResolveInfo[GraphQLRequest], selection_set: SelectionSetNode, prefix: str
) -> Iterator[str]:
    """Field paths below the resolved field, as AppSync lists them (`author`, `author/name`)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.alias.value if selection.alias else selection.name.value
            if name.startswith("__"):
                continue
            path = f"{prefix}{name}"
            yield path
            if selection.selection_set is not None:
                yield from _selection_paths(info, selection.selection_set, f"{path}/")
        elif isinstance(selection, InlineFragmentNode):
            yield from _selection_paths(info, selection.selection_set, prefix)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments[selection.name.value]
            yield from _selection_paths(info, fragment.selection_set, prefix)
