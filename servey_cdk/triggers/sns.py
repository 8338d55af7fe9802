"""Topic messages: an action run for each message published to an SNS topic.

Metadata `SnsTrigger`, AppSpec entry `SnsTriggerSpec`. Lambda adapter
`servey_cdk/aws/sns.py`, construct `constructs_lib/topics.py`, emulator `local_runtime/topics.py`.
The fan-out of one topic to SQS queues (tomodachi's SNS+SQS) is not this kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import SnsTriggerSpec

TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256}(\.fifo)?)$")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MESSAGE_PARAMS = ("subject", "attributes")  # what the action may declare beside the message
FanOut = Literal["sns"]  # how a subscription may fan out to its linked actions' queues
FAN_OUTS: tuple[FanOut, ...] = ("sns",)


@dataclass(frozen=True)
class SnsTrigger:
    """Run the action for each message on a topic: the app's own, by `topic` name (the constructs
    create it), or an existing one by `topic_arn`.

    The action takes the message (parsed as JSON when it is JSON, else the text) as its one
    required parameter, and `subject` and `attributes` (name → value) when it declares them.
    `filter_policy` is SNS's subscription filter policy on message attributes.
    """

    topic: str | None = None
    topic_arn: str | None = None
    filter_policy: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def topic_name(self) -> str:
        """The topic's name: `topic`, or the last part of `topic_arn`."""
        return self.topic if self.topic is not None else str(self.topic_arn).rpartition(":")[2]


def sns_trigger_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[SnsTriggerSpec, ...]:
    from servey_cdk.appspec import SnsTriggerSpec
    from servey_cdk.signature import signature_of

    specs = []
    for action in actions:
        for trigger in action.triggers_of(SnsTrigger):
            where = f"action {action.name!r} SnsTrigger"
            problems += trigger_problems(trigger, where)
            try:
                required = [p.name for p in signature_of(action).inputs if p.required]
            except TypeError:
                required = []  # reported with the action's own checks
            if len(required) != 1 or required[0] in MESSAGE_PARAMS:
                problems.append(f"{where}: the action must take the message as its one required parameter")
            specs.append(
                SnsTriggerSpec(
                    action=action.name,
                    function=function_of[action.name],
                    topic=trigger.topic_name,
                    topic_arn=trigger.topic_arn,
                    filter_policy=dict(trigger.filter_policy or {}),
                )
            )
    problems += _topic_name_problems(specs)
    return tuple(specs)


def _topic_name_problems(specs: list[SnsTriggerSpec]) -> list[str]:
    """A topic name stands for one topic: the constructs and the emulator find topics by name."""
    arns: dict[str, set[str | None]] = {}
    for spec in specs:
        arns.setdefault(spec.topic, set()).add(spec.topic_arn)
    return [
        f"topic name {name!r} stands for several topics ("
        + ", ".join(sorted(arn or "the app's own" for arn in found))
        + "): give them names of their own"
        for name, found in arns.items()
        if len(found) > 1
    ]


def topic_subscriptions(
    triggers: Iterable[SnsTriggerSpec],
) -> dict[tuple[str, str], tuple[SnsTriggerSpec, ...]]:
    """The triggers by (function, topic): one subscription each, since SNS subscribes an endpoint to a
    topic once. Its filter policy is `subscription_filter_policy` of theirs."""
    grouped: dict[tuple[str, str], list[SnsTriggerSpec]] = {}
    for trigger in triggers:
        grouped.setdefault((trigger.function, trigger.topic), []).append(trigger)
    return {key: tuple(group) for key, group in grouped.items()}


def subscription_filter_policy(policies: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The policy passing what any of `policies` passes: None (all messages) when one of them is
    empty, the one policy, or SNS's `$or` of them. The adapter filters again for each trigger."""
    distinct: list[dict[str, Any]] = []
    for policy in policies:
        if not policy:
            return None
        if policy not in distinct:
            distinct.append(policy)
    return distinct[0] if len(distinct) == 1 else {"$or": distinct}


def trigger_problems(trigger: SnsTrigger, where: str) -> list[str]:
    if (trigger.topic is None) == (trigger.topic_arn is None):
        return [f"{where}: give exactly one of topic and topic_arn"]
    problems = []
    if trigger.topic is not None and not TOPIC_NAME.match(trigger.topic):
        problems.append(f"{where}: topic {trigger.topic!r} is not a valid SNS topic name")
    if trigger.topic_arn is not None and not TOPIC_ARN.match(trigger.topic_arn):
        problems.append(f"{where}: topic_arn {trigger.topic_arn!r} is not an SNS topic ARN")
    return problems + filter_policy_problems(trigger.filter_policy, where)


def filter_policy_problems(policy: Any, where: str) -> list[str]:
    if policy is not None and (
        not isinstance(policy, dict) or not all(isinstance(v, list | dict) for v in policy.values())
    ):
        return [f"{where}: filter_policy maps attribute names to lists of allowed values"]
    return []


def attribute_problem(name: Any, value: Any) -> str | None:
    """Why SNS would refuse a message attribute, or None: a name of 1-256 characters, and a
    non-empty string, a number, or a list of strings, numbers, booleans and nulls."""
    if not isinstance(name, str) or not 0 < len(name) <= 256:
        return "a name is 1-256 characters"
    if not (isinstance(value, str | list) or _is_number(value)):
        return "must be a string, a number or a list"
    if value == "":
        return "must not be empty"
    if isinstance(value, list) and not all(
        item is None or isinstance(item, str | int | float | bool) for item in value
    ):
        return "a list holds strings, numbers, booleans and nulls only"
    return None


def typed_attribute(value: str | int | float | list[Any]) -> tuple[str, str]:
    """An attribute's SNS data type and text: `String`, `Number` or `String.Array` (its JSON)."""
    if isinstance(value, list):
        return "String.Array", json.dumps(value)
    if isinstance(value, str):
        return "String", value
    return "Number", str(value)


def filter_values(attributes: dict[str, Any]) -> dict[str, Any]:
    """Attributes as a filter policy meets them, and as the adapter reads them back: a number as
    its text, a list as the list."""
    return {name: str(value) if _is_number(value) else value for name, value in attributes.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def filter_matches(policy: dict[str, Any] | None, attributes: dict[str, Any]) -> bool:
    """Whether message attributes (name → value, a string, number or list) pass a filter policy.

    Each policy key must be an attribute whose value (any element, for an array) equals one of
    the key's strings or numbers, or meets one of its `{"prefix": …}`, `{"exists": …}` or
    `{"anything-but": […]}` conditions.
    """
    for name, allowed in (policy or {}).items():
        present = name in attributes
        values = attributes.get(name)
        values = values if isinstance(values, list) else [values]
        conditions = allowed if isinstance(allowed, list) else [allowed]
        if not any(_allows(condition, present, values) for condition in conditions):
            return False
    return True


def _allows(condition: Any, present: bool, values: list[Any]) -> bool:
    if isinstance(condition, dict):
        if "exists" in condition:
            return present is bool(condition["exists"])
        if not present:
            return False
        if "prefix" in condition:
            return any(isinstance(v, str) and v.startswith(condition["prefix"]) for v in values)
        if "anything-but" in condition:
            but = condition["anything-but"]
            but = but if isinstance(but, list) else [but]
            return not any(_equal(v, b) for v in values for b in but)
        return False
    return present and any(_equal(v, condition) for v in values)


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(value, bool):
        return value is wanted
    if isinstance(wanted, int | float):
        try:
            return float(value) == float(wanted)
        except (TypeError, ValueError):
            return False
    return isinstance(value, str) and value == wanted
