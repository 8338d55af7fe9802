"""An app's GraphQL choices, declared once in its module:

    graphql = GraphQLSettings(field_names="camelCase")

`field_names` is "snake_case" (the default: the Python names, as REST and direct invokes
use them) or "camelCase" (GraphQL's convention; `servey_cdk.graphql_names` renames).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldNaming = Literal["snake_case", "camelCase"]
FIELD_NAMINGS: tuple[FieldNaming, ...] = ("snake_case", "camelCase")


@dataclass(frozen=True)
class GraphQLSettings:
    field_names: FieldNaming = "snake_case"

    def __post_init__(self) -> None:
        if self.field_names not in FIELD_NAMINGS:
            known = ", ".join(FIELD_NAMINGS)
            raise ValueError(f"GraphQLSettings: field_names is one of {known}, not {self.field_names!r}")
