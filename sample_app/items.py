"""A small catalogue: path parameters, JSON bodies and nested models. Anyone may read it; changing
it takes a token with the `items:write` scope."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, Field

from servey_cdk import Example, NotFound, ScopeAccessControl, WebTrigger, action


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


_ITEMS: dict[int, Item] = {
    42: Item(
        item_id=42,
        name="Answer",
        price=Decimal("4.20"),
        tags=["classic"],
        status=Status.published,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
}


@action(
    triggers=WebTrigger("GET", "/items/{item_id}"),
    examples=(
        Example(
            name="the_answer",
            params={"item_id": 42},
            result={
                "item_id": 42,
                "name": "Answer",
                "price": "4.20",
                "tags": ["classic"],
                "status": "published",
                "created_at": "2026-01-01T00:00:00Z",
            },
        ),
    ),
)
def get_item(item_id: int) -> Item:
    """One item by its id."""
    try:
        return _ITEMS[item_id]
    except KeyError:
        raise NotFound(f"no item {item_id}") from None


@action(triggers=WebTrigger("GET", "/items"))
def list_items(tag: str | None = None, limit: int = 20) -> list[Item]:
    """Items, optionally only those with a tag."""
    items = [item for item in _ITEMS.values() if tag is None or tag in item.tags]
    return items[:limit]


WRITE_ITEMS = ScopeAccessControl(execute_scope="items:write")


@action(triggers=WebTrigger("POST", "/items"), access_control=WRITE_ITEMS)
def create_item(item: NewItem) -> Item:
    """Add an item to the catalogue."""
    created = Item(
        item_id=max(_ITEMS, default=0) + 1,
        name=item.name,
        price=item.price,
        tags=item.tags,
        status=Status.draft,
        created_at=datetime.now(UTC),
    )
    _ITEMS[created.item_id] = created
    return created


@action(
    triggers=WebTrigger("DELETE", "/items/{item_id}"),
    access_control=WRITE_ITEMS,
    examples=Example(name="no_such_item", params={"item_id": 404}, result=False),
)
def delete_item(item_id: int) -> bool:
    """Remove an item; false when there was none."""
    return _ITEMS.pop(item_id, None) is not None
