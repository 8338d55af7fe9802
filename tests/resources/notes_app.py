"""An app of declared resources for servey-local's local AWS: a table of notes (seeded, with a
stream), a bucket of files, a secret and a parameter; an S3Trigger and a TableStreamTrigger
that record what they saw in a table of their own, so that tests read it over HTTP."""

from __future__ import annotations

import time
from typing import Any

from servey_cdk import (
    WEB_GET,
    WEB_POST,
    Bucket,
    Example,
    Idempotency,
    Parameter,
    S3Trigger,
    Secret,
    SubscriptionTrigger,
    Table,
    TableStreamTrigger,
    action,
    subscription,
)

notes = Table("notes", partition_key="id", stream="new_image", seed=({"id": "welcome", "text": "hello"},))
seen = Table("seen", partition_key="id")
files = Bucket("files")
api_key = Secret("api-key")
greeting = Parameter("greeting", initial="hi")


@action(
    triggers=WEB_GET,
    uses=notes.read(),
    examples=(Example("welcome", params={"id": "welcome"}, result={"id": "welcome", "text": "hello"}),),
)
def get_note(id: str) -> dict[str, Any] | None:
    return notes.table.get_item(Key={"id": id}).get("Item")


@action(triggers=WEB_POST, uses=notes.read_write())
def put_note(id: str, text: str) -> dict[str, str]:
    notes.table.put_item(Item={"id": id, "text": text})
    return {"id": id, "text": text}


@action(triggers=WEB_POST, uses=files.write())
def upload(name: str, text: str) -> str:
    files.bucket.put_object(Key=name, Body=text.encode())
    return name


@action(triggers=WEB_GET, uses=(api_key.read(), greeting.read()))
def settings() -> dict[str, Any]:
    return {"greeting": greeting.value, "key_length": len(api_key.value)}


@action(triggers=WEB_GET)
def ungranted() -> dict[str, Any] | None:
    """Reads the notes without declaring it: refused, as the function would be on Lambda."""
    return notes.table.get_item(Key={"id": "welcome"}).get("Item")


@action(triggers=S3Trigger(files, prefix="in/"), uses=seen.write())
def on_file(bucket: str, key: str) -> None:
    seen.table.put_item(Item={"id": f"file:{key}", "bucket": bucket, "at": str(time.time())})


@action(triggers=TableStreamTrigger(notes, batch_size=10, retry_attempts=1), uses=seen.read_write())
def on_note(event_name: str, keys: dict[str, Any], new_image: dict[str, Any] | None) -> None:
    if new_image is not None and new_image.get("text") == "fail":
        attempts = seen.table.get_item(Key={"id": f"failed:{keys['id']}"}).get("Item", {}).get("count", 0)
        seen.table.put_item(Item={"id": f"failed:{keys['id']}", "count": attempts + 1})
        raise ValueError(f"note {keys['id']} cannot be processed")
    seen.table.put_item(Item={"id": f"note:{keys['id']}", "event": event_name})


@action(triggers=WEB_GET, uses=seen.read())
def seen_ids() -> list[str]:
    return sorted(item["id"] for item in seen.table.scan()["Items"])


@action(triggers=WEB_POST, uses=seen.read_write(), idempotent=Idempotency(key=("order",), expires_after_s=60))
def charge(order: str, amount: int) -> dict[str, Any]:
    """Counts its runs by order; an amount of 0 fails, keeping nothing, so that its retry runs."""
    runs = int(seen.table.get_item(Key={"id": f"charge:{order}"}).get("Item", {}).get("runs", 0)) + 1
    seen.table.put_item(Item={"id": f"charge:{order}", "runs": runs})
    if amount == 0:
        raise ValueError("the payment provider refused")
    return {"order": order, "amount": amount, "run": runs}


settlements = subscription(str, "settlements", is_subscribable=False)


@action(triggers=WEB_POST, publishes=settlements)
def settle_twice(reference: str) -> int:
    """Sends one settlement twice, as an SQS queue may deliver a message more than once."""
    settlements.publish(reference)
    settlements.publish(reference)
    return 2


@action(triggers=SubscriptionTrigger(settlements), uses=seen.read_write(), idempotent=True)
def settle(reference: str) -> None:
    runs = int(seen.table.get_item(Key={"id": f"settled:{reference}"}).get("Item", {}).get("runs", 0)) + 1
    seen.table.put_item(Item={"id": f"settled:{reference}", "runs": runs})
