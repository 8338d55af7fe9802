"""Generated actions: made by a factory at import time; on AWS they share the router."""

from collections.abc import Callable

from servey_cdk import WEB_GET, action


def _generate(action_name: str) -> Callable[[], str]:
    @action(name=action_name, triggers=WEB_GET)
    def my_action() -> str:
        return f"action_name was {action_name}"

    return my_action


generated_1 = _generate("generated_1")
generated_2 = _generate("generated_2")
generated_3 = _generate("generated_3")
