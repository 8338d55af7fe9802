"""Subscription links: an action fed a subscription's events through its own SQS queue.

Metadata `SubscriptionTrigger`, AppSpec entry `QueueSpec`. Lambda adapter
`servey_cdk/aws/sqs.py` (publishing: `aws/publisher.py`), construct
`constructs_lib/queues.py`, emulator `local_runtime/queues.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from servey_cdk.triggers.sns import FAN_OUTS, filter_policy_problems
from servey_cdk.triggers.web import timeout_of
from servey_cdk.wire import queue_name

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import QueueSpec
    from servey_cdk.subscriptions import Subscription

SQS_MAX_DELAY_S = 900
SQS_MAX_VISIBILITY_TIMEOUT_S = 43_200


@dataclass(frozen=True)
class SubscriptionTrigger:
    """Run the action for every event published to a subscription, through a queue.

    The action takes the event as its one input parameter. `delay` holds each event
    back (SQS allows up to 15 minutes); `max_receive_count` is how often a failing
    event is retried before it goes to the dead-letter queue. `visibility_timeout` is
    how long a received event stays hidden, so how soon a failed one is retried: six
    times the action's timeout and at least 30 s by default, as AWS advises, and never
    shorter than the action's timeout, which Lambda refuses. `fifo` makes the queue a
    FIFO queue with one message group per subscription: the action gets the events in
    the order they were published, and a failed one holds back those after it until it
    is done or dead-lettered. `filter_policy`, for a
    subscription with `fan_out`, is the SNS filter policy of the queue's subscription to the
    topic, on the attributes the event was published with: the action gets only what it passes.
    """

    subscription: Subscription[Any]
    delay: timedelta = timedelta(0)
    max_receive_count: int = 5
    batch_size: int = 10
    visibility_timeout: timedelta | None = None
    fifo: bool = False
    filter_policy: dict[str, Any] | None = field(default=None, hash=False, compare=False)


def queue_specs(
    actions: tuple[Action, ...],
    subscriptions: tuple[Subscription[Any], ...],
    function_of: dict[str, str],
    problems: list[str],
) -> tuple[QueueSpec, ...]:
    from servey_cdk.appspec import QueueSpec
    from servey_cdk.signature import signature_of

    known = {id(item) for item in subscriptions}
    problems += [
        f"action {action.name!r} publishes to {item.name!r}: no such subscription in the app's modules"
        for action in actions
        for item in action.publishes
        if id(item) not in known
    ]
    problems += [
        f"subscription {item.name!r}: fan_out {item.fan_out!r} is not one of {', '.join(FAN_OUTS)}"
        for item in subscriptions
        if item.fan_out is not None and item.fan_out not in FAN_OUTS
    ]
    queues = []
    for action in actions:
        for trigger in action.triggers_of(SubscriptionTrigger):
            where = f"action {action.name!r} subscription {trigger.subscription.name!r}"
            if id(trigger.subscription) not in known:
                problems.append(f"{where}: the subscription was not found in the app's modules")
            required = [p for p in signature_of(action).inputs if p.required]
            if len(required) != 1:
                problems.append(f"{where}: a linked action takes the event as its one required parameter")
            delay = int(trigger.delay.total_seconds())
            if not 0 <= delay <= SQS_MAX_DELAY_S:
                problems.append(f"{where}: delay {delay}s is outside SQS's 0-900 seconds")
            if not 1 <= trigger.batch_size <= 10:
                problems.append(f"{where}: batch_size must be 1-10")
            problems += filter_policy_problems(trigger.filter_policy, where)
            if trigger.filter_policy is not None and trigger.subscription.fan_out is None:
                problems.append(f"{where}: a filter_policy needs a fan-out subscription (fan_out='sns')")
            if trigger.fifo and trigger.subscription.fan_out is not None:
                problems.append(f"{where}: a fifo queue cannot be fed by a fan-out (its topic is not FIFO)")
            timeout = timeout_of(action)
            given = trigger.visibility_timeout
            visibility = max(30, 6 * timeout) if given is None else int(given.total_seconds())
            if not timeout <= visibility <= SQS_MAX_VISIBILITY_TIMEOUT_S:
                problems.append(
                    f"{where}: visibility_timeout {visibility}s is outside the action's timeout "
                    f"({timeout}s) to SQS's {SQS_MAX_VISIBILITY_TIMEOUT_S} s"
                )
            queues.append(
                QueueSpec(
                    name=queue_name(trigger.subscription.name, action.name),
                    subscription=trigger.subscription.name,
                    action=action.name,
                    function=function_of[action.name],
                    delay_seconds=delay,
                    max_receive_count=trigger.max_receive_count,
                    batch_size=trigger.batch_size,
                    filter_policy=dict(trigger.filter_policy or {}),
                    visibility_timeout=visibility,
                    fifo=trigger.fifo,
                )
            )
    return tuple(queues)
