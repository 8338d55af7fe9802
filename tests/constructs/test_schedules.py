"""ServeySchedules: EventBridge rules, and Scheduler schedules where a time zone is given."""

from __future__ import annotations

import json

from local_runtime.schedules import schedule_event
from servey_cdk.appspec import AppSpec
from tests.constructs.template_queries import Resources, actions_of, app_function, of_type, policy_statements


def test_GIVEN_a_schedule_without_time_zone_THEN_it_is_an_eventbridge_rule_naming_the_schedule(
    resources: Resources,
) -> None:
    (rule,) = of_type(resources, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert json.loads(rule["Properties"]["Targets"][0]["Input"]) == {"servey_schedule": "tick"}


def test_GIVEN_a_schedule_with_a_time_zone_THEN_it_is_a_scheduler_schedule(resources: Resources) -> None:
    (schedule,) = of_type(resources, "AWS::Scheduler::Schedule").values()
    properties = schedule["Properties"]
    assert properties["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert json.loads(properties["Target"]["Input"]) == {"servey_schedule": "nightly_report"}


def test_GIVEN_the_sample_stack_THEN_the_scheduler_role_may_invoke_only_its_function(
    resources: Resources,
) -> None:
    (schedule,) = of_type(resources, "AWS::Scheduler::Schedule").values()
    role = schedule["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
    function, _ = app_function(resources, "nightly_report")
    invoke = [s for s in policy_statements(resources, role) if "lambda:InvokeFunction" in actions_of([s])]
    assert invoke == [
        {"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": {"Fn::GetAtt": [function, "Arn"]}}
    ]


def test_GIVEN_the_sample_stack_THEN_undeliverable_schedule_events_go_to_a_dead_letter_queue(
    resources: Resources,
) -> None:
    (rule,) = of_type(resources, "AWS::Events::Rule").values()
    assert "Arn" in rule["Properties"]["Targets"][0]["DeadLetterConfig"]


def test_GIVEN_each_schedule_THEN_servey_local_sends_exactly_what_its_deployed_target_sends(
    resources: Resources, spec: AppSpec
) -> None:
    deployed = [
        rule["Properties"]["Targets"][0]["Input"] for rule in of_type(resources, "AWS::Events::Rule").values()
    ]
    deployed += [
        item["Properties"]["Target"]["Input"]
        for item in of_type(resources, "AWS::Scheduler::Schedule").values()
    ]
    local = [schedule_event(schedule) for schedule in spec.schedules]
    assert sorted(map(json.loads, deployed), key=str) == sorted(local, key=str)
    assert len(local) == 2
