"""Subscriptions: publish to websocket subscribers, and run a linked action per message."""

from sample_app.subscriptions import messager
from servey_cdk import WEB_POST, Example, ScopeAccessControl, SubscriptionTrigger, action

RECORDED: list[str] = []


@action(
    triggers=WEB_POST,
    publishes=messager,
    access_control=ScopeAccessControl(execute_scope="messages:send"),
    # Publishing needs a runtime's publisher (servey-local, Lambda, the rehearsal): not a unit test.
    examples=Example(name="hello_all", params={"message": "Hello all!"}, result=True, include_in_tests=False),
)
def broadcast_message(message: str, connection_id: str | None = None) -> bool:
    """Send a message to all connected users, or to a single subscriber."""
    messager.publish(message, connection_id)
    return True


@action(triggers=SubscriptionTrigger(messager))
def record_message(message: str) -> int:
    """Runs for every published message (through a queue); records what it receives."""
    RECORDED.append(message)
    return len(RECORDED)
