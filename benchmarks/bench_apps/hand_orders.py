"""The realistic app as a hand-written Lambda handler with pydantic: the floor."""

from typing import Any

from orders_models import Order, receipt_of
from pydantic import BaseModel, ValidationError


class PlaceOrder(BaseModel):
    order: Order


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        order = PlaceOrder.model_validate_json(event.get("body") or "").order
    except ValidationError as error:
        return {"statusCode": 422, "body": error.json(include_url=False)}
    body = receipt_of(order).model_dump_json()
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}
