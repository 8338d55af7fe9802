"""Publishing on Lambda: to the SQS queue of each linked action, then to websocket subscribers.

The spec names each subscription's queues; the constructs give each publishing
function their URLs (`SERVEY_QUEUE_<QUEUE NAME>`), the connections table and the websocket
API's callback endpoint. The queues come first: an event a linked action must get
is sent, or the publish fails, before any subscriber hears of it. A link's delay is
the queue's own delivery delay. Websocket pushes are posted through the management
API a few at a time; a connection found gone (`GoneException`) is deleted from the
table, and any other failure to post is logged and the others still get the event.

A fan-out subscription (`fan_out="sns"`) is published as one SNS message, with its message
attributes, to the subscription's topic (`SERVEY_TOPIC_<SUBSCRIPTION>` = its ARN); SNS
delivers it to the linked actions' queues, raw, each through its own filter policy.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from itertools import islice
from typing import Any

from servey_cdk.aws.runtime import ShippedSpec
from servey_cdk.aws.websocket import ConnectionStore, envelope, recipients
from servey_cdk.subscriptions import Subscription
from servey_cdk.triggers.sns import typed_attribute
from servey_cdk.wire import QUEUE_PREFIX, TOPIC_PREFIX, WEBSOCKET_ENDPOINT, environment_name

log = logging.getLogger(__name__)

POST_CONCURRENCY = 16
POST_CHUNK = 256


class AwsPublisher:
    """`queues` maps each subscription to its linked queues' `(name, URL)`; None where the URL is unset.
    `topics` maps each fan-out subscription with linked queues to its topic's ARN, or None."""

    def __init__(
        self,
        queues: Mapping[str, list[tuple[str, str | None]]],
        store: ConnectionStore | None,
        endpoint: str | None,
        sqs: Any = None,
        management_api: Any = None,
        topics: Mapping[str, str | None] | None = None,
        sns: Any = None,
    ) -> None:
        self.queues = queues
        self.topics = dict(topics or {})
        if sns is not None:
            self.sns = sns
        self.store = store
        self.endpoint = endpoint
        if sqs is not None:
            self.sqs = sqs
        if management_api is not None:
            self.management_api = management_api

    @classmethod
    def from_environment(cls, spec: ShippedSpec, store: ConnectionStore | None) -> AwsPublisher:
        def url(queue: str) -> str | None:
            return os.environ.get(environment_name(QUEUE_PREFIX, queue))

        subscriptions = spec["subscriptions"]
        queues = {item["name"]: [(queue, url(queue)) for queue in item["queues"]] for item in subscriptions}
        topics = {
            item["name"]: os.environ.get(environment_name(TOPIC_PREFIX, item["name"]))
            for item in subscriptions
            if item.get("fan_out") and item["queues"]
        }
        return cls(queues, store, os.environ.get(WEBSOCKET_ENDPOINT), topics=topics)

    @cached_property
    def sqs(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # imported on the first publish, not at start-up

        return boto3.client("sqs")

    @cached_property
    def sns(self) -> Any:
        import boto3

        return boto3.client("sns")

    @cached_property
    def management_api(self) -> Any:
        import boto3

        return boto3.client("apigatewaymanagementapi", endpoint_url=self.endpoint)

    def publish(
        self,
        subscription: Subscription[Any],
        event: Any,
        connection_id: str | None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        if subscription.name in self.topics:
            self._fan_out(subscription.name, json.dumps(event), attributes or {})
        else:
            self._send_to_queues(subscription.name, json.dumps(event))
        if subscription.is_subscribable:
            self._push(subscription, event, connection_id)

    def _fan_out(self, name: str, body: str, attributes: Mapping[str, Any]) -> None:
        topic_arn = self.topics[name]
        if topic_arn is None:
            raise RuntimeError(
                f"cannot publish to {name!r}: {environment_name(TOPIC_PREFIX, name)} is not set, so its "
                f"linked actions would miss the event (does the action declare @action(publishes={name})?)"
            )
        message_attributes = {
            key: {"DataType": data_type, "StringValue": text}
            for key, (data_type, text) in ((key, typed_attribute(value)) for key, value in attributes.items())
        }
        self.sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=message_attributes)

    def _send_to_queues(self, name: str, body: str) -> None:
        links = self.queues.get(name, [])
        missing = [environment_name(QUEUE_PREFIX, queue) for queue, url in links if url is None]
        if missing:
            raise RuntimeError(
                f"cannot publish to {name!r}: {', '.join(missing)} not set, so a linked action "
                f"would miss the event (does the action declare @action(publishes={name})?)"
            )
        for _, url in links:
            self.sqs.send_message(QueueUrl=url, MessageBody=body, **_order_of(str(url), name))

    def _push(self, subscription: Subscription[Any], event: Any, connection_id: str | None) -> None:
        store = self.store
        if store is None or self.endpoint is None:
            raise RuntimeError(
                f"cannot push {subscription.name!r} to websockets: this function has no connections "
                f"table or {WEBSOCKET_ENDPOINT} (is it a publisher of the subscription?)"
            )
        targets = recipients(store, subscription, event, connection_id)
        data = envelope(subscription.name, event).encode("utf-8")
        api = self.management_api  # made here: boto3 must not make clients in several threads at once

        def post(target: str) -> None:
            _post(api, store, subscription.name, target, data)

        with ThreadPoolExecutor(POST_CONCURRENCY, thread_name_prefix="servey-post") as pool:
            while chunk := list(islice(targets, POST_CHUNK)):  # a chunk at a time: the store pages lazily
                list(pool.map(post, chunk))


def _post(api: Any, store: ConnectionStore, name: str, connection_id: str, data: bytes) -> None:
    """Post to one connection; a connection found gone is deleted from the store."""
    from botocore.exceptions import ClientError  # type: ignore[import-untyped]

    try:
        api.post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "GoneException":
            log.error("subscription %s: posting to %s failed: %s", name, connection_id, error)
            return
        log.info("subscription %s: connection %s is gone", name, connection_id)
        store.disconnect(connection_id)


def _order_of(url: str, subscription: str) -> dict[str, str]:
    """A FIFO queue's message group, the subscription's (its events keep their order), and a
    deduplication id per publish: SQS then drops a retried send, never an equal later event."""
    if not url.endswith(".fifo"):
        return {}
    return {"MessageGroupId": subscription, "MessageDeduplicationId": str(uuid.uuid4())}
