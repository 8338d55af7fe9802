"""HTTP caching: clients may reuse the result for 30 seconds, then revalidate by ETag."""

from datetime import UTC, datetime

from servey_cdk import WEB_GET, TtlCacheControl, action


@action(triggers=WEB_GET, cache_control=TtlCacheControl(30, public=True))
def server_time() -> datetime:
    """The server's clock, to the minute; cached for 30 seconds."""
    return datetime.now(UTC).replace(second=0, microsecond=0)
