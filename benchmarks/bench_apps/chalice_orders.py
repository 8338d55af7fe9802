"""The realistic app on Chalice, with pydantic by hand."""

from typing import Any

from chalice import Chalice, Response
from orders_models import Order, receipt_of
from pydantic import ValidationError

app = Chalice(app_name="orders")


@app.route("/orders", methods=["POST"])
def place_order() -> Any:
    try:
        order = Order.model_validate((app.current_request.json_body or {}).get("order"))
    except ValidationError as error:
        return Response(error.json(include_url=False), status_code=422)
    return Response(receipt_of(order).model_dump_json(), headers={"Content-Type": "application/json"})


handler = app
