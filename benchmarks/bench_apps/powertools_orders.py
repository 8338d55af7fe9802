"""The realistic app on Powertools' APIGatewayRestResolver, with validation."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from orders_models import Order, Receipt, receipt_of

app = APIGatewayRestResolver(enable_validation=True)


@app.post("/orders")
def place_order(order: Annotated[Order, Body(embed=True)]) -> Receipt:
    return receipt_of(order)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
