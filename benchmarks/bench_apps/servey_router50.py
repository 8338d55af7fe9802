"""Fifty GET actions in one router: its cold start should be close to the one-route app's."""

from collections.abc import Callable

from servey_cdk import WEB_GET, action


def _generate(index: int) -> Callable[..., str]:
    @action(name="say_hello" if index == 0 else f"action_{index}", triggers=WEB_GET)
    def greet(name: str, times: int = 1) -> str:
        return f"Hello {name}!" * times

    return greet


for _index in range(50):  # discovery finds actions bound to module names
    globals()[f"action_{_index}"] = _generate(_index)
