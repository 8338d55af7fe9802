"""The benchmark's one-route app on Powertools' APIGatewayRestResolver, with validation."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

app = APIGatewayRestResolver(enable_validation=True)


@app.get("/actions/say-hello")
def say_hello(name: Annotated[str, Query()]) -> str:
    return f"Hello {name}!"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
