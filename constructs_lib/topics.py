"""`ServeyTopics`: the SNS topics of SnsTriggers, each trigger's function subscribed with its filter policy.

A topic of the app's own is made encrypted (the AWS-managed `alias/aws/sns` key unless
`topic_props` gives one) and SSL-only; its physical name ends with `-<topic>`, as the
runtime finds an SnsTrigger from that suffix of a notification's `TopicArn`. An existing
topic is imported by its ARN, or given as an `sns.ITopic` in `existing_topics`. Each
(function, topic) is one subscription, with a dead-letter queue for the notifications
SNS could not deliver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Names
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.builders import (
    ONE_NAME_FOR_ALL,
    construct_id,
    dead_letter_queue,
    dead_letter_queue_props_problems,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import (
    Props,
    merged,
    override_problems,
    owned_keys_problems,
    raise_if_any,
    unknown_names_problems,
)
from servey_cdk.appspec import AppSpec, SnsTriggerSpec
from servey_cdk.triggers.sns import subscription_filter_policy, topic_subscriptions

SNS_MAX_NAME = 256
AWS_MANAGED_KEY = "alias/aws/sns"
LAMBDA_TAKES_NO_FIFO = "is not for these topics: Lambda cannot subscribe to a FIFO topic"


class ServeyTopics(Construct):
    """Attributes: `topics` (`sns.ITopic` by topic name), `subscriptions` and `dead_letter_queues`
    (by `(function, topic)`)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        topic_props: Props | None = None,
        existing_topics: Mapping[str, sns.ITopic] | None = None,
        dead_letter_queue_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        given = dict(existing_topics or {})
        raise_if_any("ServeyTopics", topics_problems(spec, topic_props, given, dead_letter_queue_props))
        self.topics: dict[str, sns.ITopic] = {}
        for trigger in spec.sns_triggers:
            if trigger.topic not in self.topics:
                self.topics[trigger.topic] = given.get(trigger.topic) or self._topic(trigger, topic_props)
        self.subscriptions: dict[tuple[str, str], sns.Subscription] = {}
        self.dead_letter_queues: dict[tuple[str, str], sqs.Queue] = {}
        for (function, topic), triggers in topic_subscriptions(spec.sns_triggers).items():
            self._subscribe(function, topic, triggers, functions, dead_letter_queue_props)

    def _topic(self, trigger: SnsTriggerSpec, topic_props: Props | None) -> sns.ITopic:
        id = construct_id(trigger.topic)
        if trigger.topic_arn is not None:
            return sns.Topic.from_topic_arn(self, id, trigger.topic_arn)
        prefix = Names.unique_resource_name(self, max_length=SNS_MAX_NAME - len(trigger.topic) - 1)
        return encrypted_topic(self, id, topic_props, topic_name=f"{prefix}-{trigger.topic}")

    def _subscribe(
        self,
        function: str,
        topic: str,
        triggers: tuple[SnsTriggerSpec, ...],
        functions: ServeyFunctions,
        dead_letter_queue_props: Props | None,
    ) -> None:
        id = construct_id(f"{function}-{topic}")
        dead_letters = dead_letter_queue(
            self, f"{id}DeadLetters", f"function {function}'s subscription to topic {topic}",
            dead_letter_queue_props,
        )  # fmt: skip
        subscription = self.topics[topic].add_subscription(
            subscriptions.LambdaSubscription(functions.functions[function], dead_letter_queue=dead_letters)
        )
        set_filter_policy(subscription, subscription_filter_policy(t.filter_policy for t in triggers))
        self.subscriptions[(function, topic)] = subscription
        self.dead_letter_queues[(function, topic)] = dead_letters


def encrypted_topic(scope: Construct, id: str, topic_props: Props | None, **owned: Any) -> sns.Topic:
    """A topic that takes SSL only and is encrypted, with the AWS-managed key unless the props give one."""
    props = merged({"enforce_ssl": True}, topic_props)
    if "master_key" not in props:
        props["master_key"] = kms.Alias.from_alias_name(scope, f"{id}Key", AWS_MANAGED_KEY)
    return sns.Topic(scope, id, **props, **owned)


def set_filter_policy(subscription: sns.Subscription, policy: dict[str, Any] | None) -> None:
    """The policy as SNS's own JSON, as the trigger gives it: nothing lost in a translation."""
    if policy:
        resource = subscription.node.default_child
        assert isinstance(resource, sns.CfnSubscription)
        resource.filter_policy = policy


def topics_problems(
    spec: AppSpec,
    topic_props: Props | None,
    existing_topics: Mapping[str, object] | None,
    dead_letter_queue_props: Props | None = None,
) -> list[str]:
    problems = override_problems("topic_props", topic_props, sns.Topic)
    problems += owned_keys_problems("topic_props", topic_props, ("topic_name",), ONE_NAME_FOR_ALL)
    problems += owned_keys_problems(
        "topic_props", topic_props, ("fifo", "content_based_deduplication"), LAMBDA_TAKES_NO_FIFO
    )
    problems += unknown_names_problems(
        "existing_topics", existing_topics or {}, {trigger.topic for trigger in spec.sns_triggers}
    )
    return problems + dead_letter_queue_props_problems(dead_letter_queue_props)
