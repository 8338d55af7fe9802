"""The limits a GraphQL request must keep, the same on AppSync and in servey-local.

AppSync enforces `depth` (its `QueryDepthLimit`, 1-75) and `resolvers` (its
`ResolverCountLimit`, 1-10,000), and whether introspection is allowed; the
constructs set all three from here. servey-local enforces those, and also bounds the
request's size and its count of fields and aliases before anything runs, so a hostile
query is refused before a single function is invoked.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_TIMEOUT_S = 30  # AppSync's hard limit on one request, every resolver's work included


@dataclass(frozen=True)
class GraphQLLimits:
    depth: int = 12  # levels of selection sets below the operation
    resolvers: int = 500  # resolver invocations in one request
    fields: int = 1_000  # field selections in the document, fragments expanded
    aliases: int = 100
    query_bytes: int = 64 * 1024
    introspection: bool = True
