"""The realistic app on servey-cdk: POST /orders takes an order and returns its receipt."""

from orders_models import Order, Receipt, receipt_of

from servey_cdk import WEB_GET, WebTrigger, action


@action(triggers=WebTrigger("POST", "/orders"))
def place_order(order: Order) -> Receipt:
    """Price an order."""
    return receipt_of(order)


@action(triggers=WEB_GET)
def max_items() -> int:
    """How many line items an order may have (GraphQL's one query)."""
    return 100
