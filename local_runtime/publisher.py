"""Publishing locally: to the queues of a subscription's linked actions and to websocket subscribers.

Installed with `servey_cdk.subscriptions.set_publisher` while the emulator runs.
A function may publish only to the subscriptions its actions declare (`publishes=`),
as on AWS, where no other function has the queues' URLs or the grants to send.
Subscribers and their connect-time authorization come from the connection store the
handler keeps them in, as they come from DynamoDB on AWS. Functions publish from
worker threads: a queue's send is kept before `publish` returns, as SQS's is. A fan-out
subscription's event goes, as SNS delivers it raw, to each queue whose filter policy its
message attributes pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from local_runtime.connections import ConnectionTable
from local_runtime.invoker import running_function
from local_runtime.queues import LocalQueue
from servey_cdk.appspec import AppSpec
from servey_cdk.aws.websocket import ConnectionStore, envelope, recipients
from servey_cdk.subscriptions import Subscription
from servey_cdk.triggers.sns import filter_matches, filter_values

log = logging.getLogger(__name__)


class LocalPublisher:
    def __init__(
        self,
        spec: AppSpec,
        queues: dict[str, LocalQueue],
        store: ConnectionStore,
        connections: ConnectionTable,
    ) -> None:
        self.queues_of = {item.name: [queues[name] for name in item.queues] for item in spec.subscriptions}
        self.publishers_of = {item.name: item.publishers for item in spec.subscriptions}
        self.store = store
        self.connections = connections

    def publish(
        self,
        subscription: Subscription[Any],
        event: Any,
        connection_id: str | None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Every linked action's queue gets the event; then one connection, or every subscriber."""
        function = running_function()
        if function is not None and function not in self.publishers_of.get(subscription.name, ()):
            raise RuntimeError(
                f"function {function!r} cannot publish to {subscription.name!r}: none of its actions "
                f"declares it (@action(publishes={subscription.name}))"
            )
        body = json.dumps(event)
        values = filter_values(dict(attributes or {}))
        for queue in self.queues_of.get(subscription.name, []):
            if filter_matches(queue.spec.filter_policy, values):  # {} but for a fan-out's queues
                queue.send(body)
        data = envelope(subscription.name, event)
        targets = recipients(self.store, subscription, event, connection_id)
        for gone in self.connections.post_to_connections(targets, data):
            log.info("subscription %s: connection %s is gone", subscription.name, gone)
            self.store.disconnect(gone)
