"""The realistic benchmark's models, shared by every contender: an order of ten line items with
`Decimal` prices and a `datetime`, and the receipt it gets back."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class LineItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(gt=0, le=1000)
    unit_price: Decimal = Field(ge=0, decimal_places=2)


class Order(BaseModel):
    customer_id: str
    placed_at: datetime
    items: list[LineItem] = Field(min_length=1, max_length=100)
    note: str | None = None


class Receipt(BaseModel):
    customer_id: str
    placed_at: datetime
    item_count: int
    total: Decimal


def receipt_of(order: Order) -> Receipt:
    total = sum((item.unit_price * item.quantity for item in order.items), Decimal(0))
    return Receipt(
        customer_id=order.customer_id, placed_at=order.placed_at, item_count=len(order.items), total=total
    )
