"""`ServeySchedules`: an EventBridge rule per schedule, or a Scheduler schedule where a time zone is set."""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from constructs_lib import defaults
from constructs_lib.builders import (
    ONE_NAME_FOR_ALL,
    construct_id,
    dead_letter_queue,
    dead_letter_queue_props_problems,
)
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, owned_keys_problems, raise_if_any
from servey_cdk.appspec import AppSpec, ScheduleSpec

RETRY_ATTEMPTS = 2
OWNED_RULE_PROPS = ("schedule", "targets")
OWNED_SCHEDULE_PROPS = ("schedule_expression", "schedule_expression_timezone", "target")


class ServeySchedules(Construct):
    """Attributes: `rules` and `schedules` (by schedule name), `roles` (of schedules), `dead_letter_queue`.

    Every target receives `{"servey_schedule": <schedule name>}`; undeliverable events go to the DLQ.
    `rule_props` shape each `events.Rule`, `schedule_props` each `scheduler.CfnSchedule`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        dead_letter_queue_props: Props | None = None,
        rule_props: Props | None = None,
        schedule_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any(
            "ServeySchedules", schedules_problems(spec, rule_props, schedule_props, dead_letter_queue_props)
        )
        self._rule_props = rule_props
        self._schedule_props = schedule_props
        self.dead_letter_queue = dead_letter_queue(
            self, "DeadLetters", "the schedules", dead_letter_queue_props
        )
        self.rules: dict[str, events.Rule] = {}
        self.schedules: dict[str, scheduler.CfnSchedule] = {}
        self.roles: dict[str, iam.Role] = {}
        for item in spec.schedules:
            function = functions.functions[item.function]
            if item.timezone is None:
                self.rules[item.name] = self._rule(item, function)
            else:
                self.schedules[item.name] = self._schedule(item, function)

    def _rule(self, item: ScheduleSpec, function: lambda_.IFunction) -> events.Rule:
        return events.Rule(
            self,
            construct_id(item.name),
            **merged({"description": f"Runs {item.action} on {item.expression}"}, self._rule_props),
            schedule=events.Schedule.expression(item.expression),
            targets=[
                targets.LambdaFunction(
                    function,
                    event=events.RuleTargetInput.from_object({defaults.SCHEDULE_INPUT_KEY: item.name}),
                    dead_letter_queue=self.dead_letter_queue,
                    retry_attempts=RETRY_ATTEMPTS,
                )
            ],
        )

    def _schedule(self, item: ScheduleSpec, function: lambda_.IFunction) -> scheduler.CfnSchedule:
        id = construct_id(item.name)
        function_arn = function.function_arn
        role = iam.Role(
            self,
            f"{id}Role",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"Lets EventBridge Scheduler invoke {item.function}",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function_arn]))
        self.dead_letter_queue.grant_send_messages(role)
        self.roles[item.name] = role
        own = {
            "description": f"Runs {item.action} on {item.expression} ({item.timezone})",
            "flexible_time_window": scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
        }
        return scheduler.CfnSchedule(
            self,
            id,
            **merged(own, self._schedule_props),
            schedule_expression=item.expression,
            schedule_expression_timezone=item.timezone,
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function_arn,
                role_arn=role.role_arn,
                input=json.dumps({defaults.SCHEDULE_INPUT_KEY: item.name}),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=self.dead_letter_queue.queue_arn
                ),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_event_age_in_seconds=int(Duration.hours(1).to_seconds()),
                    maximum_retry_attempts=RETRY_ATTEMPTS,
                ),
            ),
        )


def schedules_problems(
    spec: AppSpec,
    rule_props: Props | None,
    schedule_props: Props | None,
    dead_letter_queue_props: Props | None = None,
) -> list[str]:
    problems = override_problems("rule_props", rule_props, events.Rule, OWNED_RULE_PROPS)
    problems += owned_keys_problems("rule_props", rule_props, ("rule_name",), ONE_NAME_FOR_ALL)
    problems += override_problems(
        "schedule_props", schedule_props, scheduler.CfnSchedule, OWNED_SCHEDULE_PROPS
    )
    problems += owned_keys_problems("schedule_props", schedule_props, ("name",), ONE_NAME_FOR_ALL)
    return problems + dead_letter_queue_props_problems(dead_letter_queue_props)
