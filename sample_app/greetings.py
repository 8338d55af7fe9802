"""Greetings: the smallest action, with an example that is also a test."""

from servey_cdk import WEB_GET, Example, action


@action(
    triggers=WEB_GET,
    examples=(
        Example(
            name="greet_developer",
            description="Say hello to the developer",
            params={"name": "Developer"},
            result="Hello Developer!",
        ),
    ),
)
def say_hello(name: str) -> str:
    """Greet a user!"""
    return f"Hello {name}!"
