"""`ServeyEventRules`: the EventBridge buses and rules of EventTriggers, one rule per function and bus.

A bus of the app's own is created, its physical name ending with `-<bus>` after the stack's
prefix (so that two stacks of one app do not collide); a bus named by its ARN is imported; no
bus is the account's default one. Each rule's pattern is the `$or` of its function's triggers
on that bus (`servey_cdk.triggers.events.event_rules`), written to the `AWS::Events::Rule` as
EventBridge's own JSON: the L2 `EventPattern` cannot say `$or`, so the L1 property is set.

EventBridge invokes the function asynchronously: an event it could not deliver (throttled, the
function gone) is retried for up to a day, then sent to `dead_letter_queue`; an invocation
that failed is retried twice by Lambda, then sent to the function's own dead-letter queue.

A function whose actions declare `puts_events` may `events:PutEvents` on exactly those buses,
and learns the deployed name of each of the app's own as `SERVEY_EVENT_BUS_<NAME>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from aws_cdk import Duration, Names
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
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
from servey_cdk.appspec import AppSpec
from servey_cdk.triggers.events import DEFAULT_BUS, EventRule, app_buses, event_rules
from servey_cdk.wire import EVENT_BUS_PREFIX, environment_name

EVENT_BUS_MAX_NAME = 256
# EventBridge's own maxima, and its defaults: a delivery fails for passing reasons (throttling).
RETRY_ATTEMPTS = 185
MAX_EVENT_AGE = Duration.hours(24)
OWNED_RULE_PROPS = ("event_pattern", "event_bus", "targets", "schedule")


class ServeyEventRules(Construct):
    """Attributes: `buses` (`events.IEventBus` by the name or ARN a trigger gives), `rules`
    (`events.Rule` by rule name), `dead_letter_queue` (None when the app has no rule).

    `existing_buses` gives buses of the caller's for bus names of the app's own (then not
    created); `event_bus_props` shape each bus created, `event_rule_props` each rule.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        event_bus_props: Props | None = None,
        event_rule_props: Props | None = None,
        existing_buses: Mapping[str, events.IEventBus] | None = None,
        dead_letter_queue_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        given = dict(existing_buses or {})
        raise_if_any(
            "ServeyEventRules",
            event_rules_problems(spec, event_bus_props, event_rule_props, given, dead_letter_queue_props),
        )
        self._event_bus_props = event_bus_props
        self.buses: dict[str, events.IEventBus] = {}
        for name in own_buses(spec):
            self.buses[name] = given.get(name) or self._bus(name)
        for arn in imported_buses(spec):
            self.buses[arn] = events.EventBus.from_event_bus_arn(self, construct_id(arn), arn)
        rules = event_rules(spec.event_triggers)
        self.dead_letter_queue: sqs.Queue | None = None
        if rules:
            self.dead_letter_queue = dead_letter_queue(
                self, "DeadLetters", "the event rules' targets", dead_letter_queue_props
            )
        self.rules = {rule.name: self._rule(rule, functions, event_rule_props) for rule in rules}
        putters = {(action.function, bus) for action in spec.actions for bus in action.puts_events}
        for function, bus in sorted(putters):
            self._grant_put(functions.functions[function], bus)

    def _bus(self, name: str) -> events.EventBus:
        prefix = Names.unique_resource_name(self, max_length=EVENT_BUS_MAX_NAME - len(name) - 1)
        props = merged({"description": f"The {name} events of the app"}, self._event_bus_props)
        return events.EventBus(self, construct_id(name), **props, event_bus_name=f"{prefix}-{name}")

    def _grant_put(self, function: lambda_.Function, bus: str) -> None:
        if bus == DEFAULT_BUS:
            self._default_bus.grant_put_events_to(function)
            return
        self.buses[bus].grant_put_events_to(function)
        if not bus.startswith("arn:"):
            function.add_environment(environment_name(EVENT_BUS_PREFIX, bus), self.buses[bus].event_bus_name)

    @cached_property
    def _default_bus(self) -> events.IEventBus:
        return events.EventBus.from_event_bus_name(self, "DefaultBus", DEFAULT_BUS)

    def _rule(self, rule: EventRule, functions: ServeyFunctions, overrides: Props | None) -> events.Rule:
        where = rule.bus or rule.bus_arn
        description = f"Sends {rule.function} the events of {', '.join(rule.triggers)}"
        made = events.Rule(
            self,
            construct_id(rule.name),
            **merged({"description": description}, overrides),
            event_bus=self.buses[where] if where else None,
            event_pattern=events.EventPattern(version=["0"]),  # every event's; replaced just below
            targets=[
                targets.LambdaFunction(
                    functions.functions[rule.function],
                    dead_letter_queue=self.dead_letter_queue,
                    retry_attempts=RETRY_ATTEMPTS,
                    max_event_age=MAX_EVENT_AGE,
                )
            ],
        )
        resource = made.node.default_child
        assert isinstance(resource, events.CfnRule)
        resource.event_pattern = rule.pattern  # EventBridge's JSON as the spec holds it, `$or` and all
        return made


def own_buses(spec: AppSpec) -> list[str]:
    """The names of the buses of the app's own, as its triggers and putters name them."""
    return app_buses(spec.event_triggers, [action.puts_events for action in spec.actions])


def imported_buses(spec: AppSpec) -> list[str]:
    """The ARNs of the existing buses the triggers and the putters name."""
    arns = [trigger.bus_arn for trigger in spec.event_triggers if trigger.bus_arn]
    arns += [bus for action in spec.actions for bus in action.puts_events if bus.startswith("arn:")]
    return list(dict.fromkeys(arns))


def uses_events(spec: AppSpec) -> bool:
    """Whether the app has EventTriggers or actions that put events."""
    return bool(spec.event_triggers) or any(action.puts_events for action in spec.actions)


def event_rules_problems(
    spec: AppSpec,
    event_bus_props: Props | None,
    event_rule_props: Props | None,
    existing_buses: Mapping[str, object] | None,
    dead_letter_queue_props: Props | None = None,
) -> list[str]:
    problems = override_problems("event_bus_props", event_bus_props, events.EventBus)
    problems += owned_keys_problems("event_bus_props", event_bus_props, ("event_bus_name",), ONE_NAME_FOR_ALL)
    problems += override_problems("event_rule_props", event_rule_props, events.Rule, OWNED_RULE_PROPS)
    problems += owned_keys_problems("event_rule_props", event_rule_props, ("rule_name",), ONE_NAME_FOR_ALL)
    problems += unknown_names_problems("existing_buses", existing_buses or {}, own_buses(spec))
    return problems + dead_letter_queue_props_problems(dead_letter_queue_props)
