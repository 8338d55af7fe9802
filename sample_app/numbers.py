"""Nested actions: `factorial` is a field of `NumberStats`, resolved only when asked for."""

from dataclasses import dataclass

from servey_cdk import WEB_GET, Example, action


@dataclass
class NumberStats:
    value: int

    @action(batch_size=10)
    async def factorial(self) -> int:
        """The factorial of the value, computed lazily (usually by GraphQL)."""
        result = 1
        for factor in range(2, self.value + 1):
            result *= factor
        return result


@action(
    triggers=WEB_GET,
    examples=(Example(name="five", params={"value": 5}, result={"value": 5}),),
)
def number_stats(value: int) -> NumberStats:
    """Statistics about a number."""
    return NumberStats(value)
