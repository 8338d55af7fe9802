"""The one-route app every framework serves in the benchmarks: GET /actions/say-hello?name=…"""

from servey_cdk import WEB_GET, action


@action(triggers=WEB_GET)
def say_hello(name: str) -> str:
    """Greet a user!"""
    return f"Hello {name}!"
