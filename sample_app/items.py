"""A small catalogue, kept in a DynamoDB table: path parameters, JSON bodies and nested models.
Anyone may read it; changing it takes a token with the `items:write` scope. servey-local keeps
the table in its local AWS, seeded with the answer on its first run."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

from servey_cdk import Example, Key, NotFound, ScopeAccessControl, Table, WebTrigger, action


class Status(Enum):
    draft = "draft"
    published = "published"


class NewItem(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: Decimal = Field(ge=0)
    tags: list[str] = []


class Item(BaseModel):
    item_id: int
    name: str
    price: Decimal
    tags: list[str]
    status: Status
    created_at: datetime


# The item the catalogue starts with, as the table keeps it and as JSON shows it.
THE_ANSWER = {
    "item_id": 42,
    "name": "Answer",
    "price": "4.20",
    "tags": ["classic"],
    "status": "published",
    "created_at": "2026-01-01T00:00:00Z",
}
catalogue = Table("catalogue", partition_key=Key("item_id", "N"), seed=(THE_ANSWER,))


def _stored(item: Item) -> dict[str, Any]:
    """The item as the table keeps it: its price as exact decimal text, which, unlike DynamoDB's
    numbers (38 digits, exponents within ±130), holds any price a caller may send."""
    return item.model_dump(mode="json") | {"price": str(item.price)}


@action(
    triggers=WebTrigger("GET", "/items/{item_id}"),
    uses=catalogue.read(),
    examples=(Example(name="the_answer", params={"item_id": 42}, result=THE_ANSWER),),
)
def get_item(item_id: int) -> Item:
    """One item by its id."""
    found = catalogue.table.get_item(Key={"item_id": item_id}).get("Item")
    if found is None:
        raise NotFound(f"no item {item_id}")
    return Item.model_validate(found)


@action(triggers=WebTrigger("GET", "/items"), uses=catalogue.read())
def list_items(tag: str | None = None, limit: int = 20) -> list[Item]:
    """Items by id, optionally only those with a tag."""
    items = sorted((Item.model_validate(found) for found in _scan()), key=lambda item: item.item_id)
    return [item for item in items if tag is None or tag in item.tags][:limit]


def _scan() -> list[dict[str, Any]]:
    answer = catalogue.table.scan()
    items = list(answer["Items"])
    while "LastEvaluatedKey" in answer:
        answer = catalogue.table.scan(ExclusiveStartKey=answer["LastEvaluatedKey"])
        items += answer["Items"]
    return items


WRITE_ITEMS = ScopeAccessControl(execute_scope="items:write")


@action(triggers=WebTrigger("POST", "/items"), access_control=WRITE_ITEMS, uses=catalogue.read_write())
def create_item(item: NewItem) -> Item:
    """Add an item to the catalogue, numbered after the highest id."""
    created = Item(
        item_id=max((int(found["item_id"]) for found in _scan()), default=0) + 1,
        name=item.name,
        price=item.price,
        tags=item.tags,
        status=Status.draft,
        created_at=datetime.now(UTC),
    )
    catalogue.table.put_item(Item=_stored(created))
    return created


@action(
    triggers=WebTrigger("DELETE", "/items/{item_id}"),
    access_control=WRITE_ITEMS,
    uses=catalogue.write(),
    examples=Example(name="no_such_item", params={"item_id": 404}, result=False),
)
def delete_item(item_id: int) -> bool:
    """Remove an item; false when there was none."""
    answer = catalogue.table.delete_item(Key={"item_id": item_id}, ReturnValues="ALL_OLD")
    return "Attributes" in answer
