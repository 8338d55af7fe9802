"""Web pages: an action's result rendered into a Jinja template."""

from datetime import UTC, datetime

from sample_app.items import Item, list_items
from servey_cdk import WebPageTrigger, action


@action(triggers=WebPageTrigger())
def current_time_page() -> datetime:
    """No path or template given: served at /current-time-page with templates/current_time_page.j2."""
    return datetime.now(UTC)


@action(triggers=WebPageTrigger(path="/catalogue", template="templates/catalogue.j2"))
def catalogue_page() -> list[Item]:
    """The catalogue, as a page listing the results of another action."""
    return list_items()
