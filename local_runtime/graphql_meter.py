"""A GraphQL document measured against the app's `GraphQLLimits` before it runs.

Depth, fields and aliases are counted with every fragment spread expanded where it is
used, each fragment measured once (memoized), so a document of nested fragments that
would expand exponentially costs no more to measure than its own size. A spread of an
unknown or cyclic fragment counts nothing here: validation reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from servey_cdk.graphql_limits import GraphQLLimits


@dataclass(frozen=True)
class Measure:
    depth: int  # levels of selection sets
    fields: int
    aliases: int

    def __add__(self, other: Measure) -> Measure:
        return Measure(max(self.depth, other.depth), self.fields + other.fields, self.aliases + other.aliases)


NOTHING = Measure(0, 0, 0)


class DocumentMeter:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            item.name.value: item for item in document.definitions if isinstance(item, FragmentDefinitionNode)
        }
        self._measured: dict[str, Measure] = {}
        self._measuring: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        return self._selections(operation.selection_set)

    def _selections(self, selection_set: SelectionSetNode) -> Measure:
        total = NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                below = self._selections(selection.selection_set) if selection.selection_set else NOTHING
                aliases = below.aliases + (selection.alias is not None)
                total = total + Measure(1 + below.depth, 1 + below.fields, aliases)
            elif isinstance(selection, InlineFragmentNode):
                total = total + self._selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total = total + self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> Measure:
        if name in self._measured:
            return self._measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._measuring:
            return NOTHING
        self._measuring.add(name)
        measure = self._selections(fragment.selection_set)
        self._measuring.discard(name)
        self._measured[name] = measure
        return measure


def limit_errors(document: DocumentNode, limits: GraphQLLimits) -> list[GraphQLError]:
    """What in `document` is over `limits`: one error per limit exceeded, for the whole document."""
    meter = DocumentMeter(document)
    total = NOTHING
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total = total + meter.operation(definition)
    errors = []
    if total.depth > limits.depth:
        errors.append(f"the query is {total.depth} levels deep; at most {limits.depth} are allowed")
    if total.fields > limits.fields:
        errors.append(f"the query selects {total.fields} fields; at most {limits.fields} are allowed")
    if total.aliases > limits.aliases:
        errors.append(f"the query has {total.aliases} aliases; at most {limits.aliases} are allowed")
    return [GraphQLError(message, extensions={"errorType": "QueryLimitExceeded"}) for message in errors]
