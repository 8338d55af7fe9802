"""An app of declared resources, for the constructs and the stream adapter: a table with a sort key,
an index, a TTL and a stream; a bucket of uploads with an S3Trigger; a secret; a parameter; an
adopted table; and an idempotent action, whose records go in a table of their own. Each action uses
a different part of them, so each function's grants differ."""

from __future__ import annotations

from typing import Any

from servey_cdk import (
    WEB_GET,
    WEB_POST,
    Bucket,
    Index,
    Key,
    Parameter,
    S3Trigger,
    Secret,
    Table,
    TableStreamTrigger,
    action,
)
from servey_cdk.idempotency import Idempotency

orders = Table(
    "orders",
    partition_key="customer",
    sort_key=Key("placed_at", "N"),
    indexes=(Index("by_status", "status", sort_key=Key("placed_at", "N")),),
    ttl_attribute="expires_at",
    stream="new_and_old_images",
    seed=({"customer": "ada", "placed_at": 1, "status": "open"},),
)
uploads = Bucket("uploads")
payment_key = Secret("payment-api-key", description="The payment provider's API key")
checkout_mode = Parameter("checkout-mode", initial="test")
legacy = Table("legacy", existing="legacy-orders-prod")
requests = Table("requests", partition_key="id", ttl_attribute="expiration")
CHANGES: list[dict[str, Any]] = []


@action(triggers=WEB_GET, uses=orders.read())
def list_orders(customer: str) -> list[dict[str, Any]]:
    answer = orders.table.query(
        KeyConditionExpression="customer = :c", ExpressionAttributeValues={":c": customer}
    )
    return list(answer["Items"])


@action(
    triggers=WEB_POST,
    uses=(orders.read_write(), uploads.write(), payment_key.read(), checkout_mode.read()),
    idempotent=Idempotency(requests, key=("customer", "placed_at")),
)
def place_order(customer: str, placed_at: int) -> dict[str, Any]:
    orders.table.put_item(Item={"customer": customer, "placed_at": placed_at, "status": "open"})
    uploads.bucket.put_object(Key=f"receipts/{customer}/{placed_at}.txt", Body=checkout_mode.value.encode())
    return {"customer": customer, "placed_at": placed_at, "charged_with_key": bool(payment_key.value)}


@action(triggers=S3Trigger(uploads, prefix="receipts/"), uses=(uploads.read(), legacy.write()))
def on_receipt(bucket: str, key: str) -> str:
    return key


@action(triggers=TableStreamTrigger(orders, batch_size=10))
def on_order_change(event_name: str, keys: dict[str, Any], new_image: dict[str, Any] | None) -> None:
    if new_image is not None and new_image.get("status") == "fail":
        raise ValueError(f"order {keys} cannot be processed")
    CHANGES.append({"event_name": event_name, "keys": keys, "new_image": new_image})
