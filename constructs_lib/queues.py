"""`ServeyQueues`: an SQS queue per subscription-linked action, with a DLQ and partial batch failures.

Each queue's physical name ends with `-<QueueSpec name>` (`<subscription>-<action>`): the
runtime finds the action of an SQS record from that suffix of its `eventSourceARN`.
A fan-out subscription gets a topic (encrypted, SSL only) instead: each of its queues is
subscribed to it with raw delivery and its link's filter policy (undeliverable messages go
to the queue's DLQ), and its publishers may publish to the topic, not send to the queues.
"""

from __future__ import annotations

from aws_cdk import Duration, Names
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import (
    acknowledge,
    acknowledge_sqs_managed_encryption,
    construct_id,
    dead_letter_queue,
    dead_letter_queue_props_problems,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, raise_if_any
from constructs_lib.topics import encrypted_topic, set_filter_policy
from servey_cdk.appspec import AppSpec, QueueSpec, SubscriptionSpec
from servey_cdk.wire import QUEUE_PREFIX, TOPIC_PREFIX, environment_name

SQS_MAX_NAME = 80
FIFO_SUFFIX = ".fifo"
OWNED_QUEUE_PROPS = ("queue_name", "dead_letter_queue", "delivery_delay", "visibility_timeout")


class ServeyQueues(Construct):
    """Attributes: `queues`, `dead_letter_queues`, `event_sources`, `senders` (all by QueueSpec name).

    `senders` names the functions given each queue's URL and `sqs:SendMessage`; `topics` (by
    subscription name) are the fan-out subscriptions' topics, and `topic_publishers` the functions
    given each one's ARN and `sns:Publish`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        queue_props: Props | None = None,
        dead_letter_queue_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyQueues", queues_problems(spec, queue_props, dead_letter_queue_props))
        self._queue_props = merged(defaults.queue_props(), queue_props)
        self._dead_letter_queue_props = dead_letter_queue_props
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.event_sources: dict[str, event_sources.SqsEventSource] = {}
        self.senders: dict[str, set[str]] = {item.name: set() for item in spec.queues}
        self.topics: dict[str, sns.Topic] = {}
        self.topic_publishers: dict[str, set[str]] = {}
        for item in spec.queues:
            self._queue(item, functions)
        for subscription in spec.subscriptions:
            if subscription.fan_out:
                self._fan_out(subscription, spec, functions)
                continue
            for publisher in subscription.publishers:
                for name in subscription.queues:
                    function = functions.functions[publisher]
                    self.queues[name].grant_send_messages(function)
                    url_variable = environment_name(QUEUE_PREFIX, name)
                    function.add_environment(url_variable, self.queues[name].queue_url)
                    self.senders[name].add(publisher)

    def _fan_out(self, subscription: SubscriptionSpec, spec: AppSpec, functions: ServeyFunctions) -> None:
        if not subscription.queues:
            return  # no linked action: nothing to deliver to
        topic = encrypted_topic(self, f"{construct_id(subscription.name)}Topic", None)
        for item in spec.queues:
            if item.name in subscription.queues:
                delivery = subscriptions.SqsSubscription(
                    self.queues[item.name],
                    raw_message_delivery=True,
                    dead_letter_queue=self.dead_letter_queues[item.name],
                )
                set_filter_policy(topic.add_subscription(delivery), item.filter_policy)
        self.topics[subscription.name] = topic
        self.topic_publishers[subscription.name] = set()
        for publisher in subscription.publishers:
            function = functions.functions[publisher]
            topic.grant_publish(function)
            function.add_environment(environment_name(TOPIC_PREFIX, subscription.name), topic.topic_arn)
            self.topic_publishers[subscription.name].add(publisher)

    def _queue(self, item: QueueSpec, functions: ServeyFunctions) -> None:
        id = construct_id(item.name)
        suffix = FIFO_SUFFIX if item.fifo else ""
        prefix = Names.unique_resource_name(self, max_length=SQS_MAX_NAME - len(item.name + suffix) - 1)
        # A FIFO queue's dead-letter queue is FIFO too, as SQS requires. Each publish carries its own
        # deduplication id; content-based deduplication covers a sender that gives none.
        order: Props = {"fifo": True, "content_based_deduplication": True} if item.fifo else {}
        dead_letters = dead_letter_queue(
            self, f"{id}DeadLetters", f"queue {item.name}", {**(self._dead_letter_queue_props or {}), **order}
        )
        queue = sqs.Queue(
            self,
            id,
            **self._queue_props,
            **order,
            queue_name=f"{prefix}-{item.name}{suffix}",
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letters, max_receive_count=item.max_receive_count
            ),
            delivery_delay=Duration.seconds(item.delay_seconds),
            visibility_timeout=Duration.seconds(item.visibility_timeout),
        )
        acknowledge_sqs_managed_encryption(queue)
        source = event_sources.SqsEventSource(
            queue, batch_size=item.batch_size, report_batch_item_failures=True
        )
        consumer = functions.functions[item.function]
        consumer.add_event_source(source)
        acknowledge(
            consumer,
            "Serverless-LambdaEventSourceMappingDestination",
            "Lambda has no on-failure destination for SQS sources; failed messages go to the queue's own DLQ",
        )
        self.queues[item.name] = queue
        self.dead_letter_queues[item.name] = dead_letters
        self.event_sources[item.name] = source


def queues_problems(
    spec: AppSpec, queue_props: Props | None, dead_letter_queue_props: Props | None = None
) -> list[str]:
    problems = override_problems("queue_props", queue_props, sqs.Queue, OWNED_QUEUE_PROPS)
    problems += dead_letter_queue_props_problems(dead_letter_queue_props)
    problems += [
        f"queue {item.name!r}: the name leaves no room for a unique prefix in SQS's {SQS_MAX_NAME} characters"
        for item in spec.queues
        if len(item.name + (FIFO_SUFFIX if item.fifo else "")) > SQS_MAX_NAME - 10
    ]
    return problems
