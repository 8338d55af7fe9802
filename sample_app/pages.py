"""Web pages: an action's result rendered into a Jinja template."""

from datetime import UTC, datetime

from sample_app.items import Item, catalogue, get_item, list_items
from servey_cdk import NotFound, PageResponse, Redirect, ScopeAccessControl, WebPageTrigger, action


@action(triggers=WebPageTrigger())
def current_time_page() -> datetime:
    """No path or template given: served at /current-time-page with templates/current_time_page.j2."""
    return datetime.now(UTC)


@action(triggers=WebPageTrigger(path="/catalogue", template="templates/catalogue.j2"), uses=catalogue.read())
def catalogue_page(tag: str | None = None) -> list[Item]:
    """The catalogue, as a page listing the results of another action."""
    return list_items(tag)


@action(
    triggers=WebPageTrigger(path="/catalogue/{item_id}", template="templates/item_page.j2"),
    uses=catalogue.read(),
)
def item_page(item_id: int) -> Item | PageResponse:
    """One item; an unknown one gets a page of its own with the 404 status."""
    try:
        return get_item(item_id)
    except NotFound:
        return PageResponse(item_id, status=404, template="templates/no_such_item.j2")


@action(triggers=WebPageTrigger(path="/shop"))
def shop_page() -> Redirect:
    """The catalogue's former address."""
    return Redirect("/catalogue", status=301)


@action(triggers=WebPageTrigger(), access_control=ScopeAccessControl(execute_scope="root"))
def secret_page() -> str:
    """Only callers holding the `root` scope see this page; others get a 401 or 403 page."""
    return "Some Secret Data!"
