"""Nested actions: `factorial` and `prime_factors` are fields of `NumberStats`, resolved only when
asked for; `prime_factors` has access control of its own."""

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from servey_cdk import WEB_GET, Example, ScopeAccessControl, action

# The factorial's work grows with the square of the value: 200,000 would take seconds of CPU.
Value = Annotated[int, Field(ge=0, le=1000)]


@dataclass
class NumberStats:
    value: Value

    @action(batch_size=10)
    async def factorial(self) -> int:
        """The factorial of the value, computed lazily (usually by GraphQL)."""
        result = 1
        for factor in range(2, self.value + 1):
            result *= factor
        return result

    @action(access_control=ScopeAccessControl(execute_scope="root"))
    def prime_factors(self) -> list[int] | None:
        """The value's prime factors (none below 2), for tokens with the `root` scope only."""
        if self.value < 2:
            return None
        factors, rest, factor = [], self.value, 2
        while factor * factor <= rest:
            while rest % factor == 0:
                factors.append(factor)
                rest //= factor
            factor += 1
        return [*factors, rest] if rest > 1 else factors


@action(
    triggers=WEB_GET,
    examples=(Example(name="five", params={"value": 5}, result={"value": 5}),),
)
def number_stats(value: Value) -> NumberStats:
    """Statistics about a number."""
    return NumberStats(value)
