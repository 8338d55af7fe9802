"""A small app whose one linked action takes its subscription's events through a FIFO queue."""

from servey_cdk import WEB_GET, WEB_POST, SubscriptionTrigger, action, subscription

ledger = subscription(str, "ledger", is_subscribable=False)


@action(triggers=WEB_GET)
def alive() -> bool:
    return True


@action(triggers=WEB_POST, publishes=ledger)
def record(entry: str) -> bool:
    ledger.publish(entry)
    return True


@action(triggers=SubscriptionTrigger(ledger, fifo=True))
def book(entry: str) -> None:
    """Books each entry in the order it was recorded."""
