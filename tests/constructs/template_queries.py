"""Lookups over synthesized templates shared by the construct tests (this folder has no __init__.py:
as a package it would be named `constructs` and shadow the CDK library of that name)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from constructs_lib.defaults import HANDLER

if TYPE_CHECKING:
    from constructs_lib.app import ServeyApp

Resources = dict[str, dict[str, Any]]


def of_type(resources: Resources, type_name: str) -> Resources:
    return {name: value for name, value in resources.items() if value["Type"] == type_name}


def apps_own(resources: Resources, type_name: str, app: ServeyApp) -> Resources:
    """The resources of a type less the alarm topic and its key, which `ServeyApp` makes for every app."""
    from constructs_lib.builders import logical_id

    watched = app.monitoring
    alarm_parts = {watched.alarm_topic, watched.alarm_key} - {None} if watched else set()
    alarm_ids = {logical_id(part) for part in alarm_parts if part is not None}
    return {name: value for name, value in of_type(resources, type_name).items() if name not in alarm_ids}


def app_function(resources: Resources, name: str) -> tuple[str, dict[str, Any]]:
    """The logical id and properties of the function serving FunctionSpec `name`."""
    for logical_id, value in of_type(resources, "AWS::Lambda::Function").items():
        properties = value["Properties"]
        if properties.get("Handler") == HANDLER and properties["Description"].endswith(f": {name}"):
            return logical_id, properties
    raise LookupError(name)


def role_of(resources: Resources, function_name: str) -> str:
    _, properties = app_function(resources, function_name)
    role: str = properties["Role"]["Fn::GetAtt"][0]
    return role


def policy_statements(resources: Resources, role: str) -> list[dict[str, Any]]:
    """Every statement of the inline policies attached to `role`."""
    statements: list[dict[str, Any]] = []
    for value in of_type(resources, "AWS::IAM::Policy").values():
        if {"Ref": role} in value["Properties"]["Roles"]:
            statements += value["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        actions = statement["Action"]
        found.update([actions] if isinstance(actions, str) else actions)
    return found


def alarms_on(resources: Resources, metric: str) -> list[dict[str, Any]]:
    """The properties of each CloudWatch alarm on that one metric."""
    alarms = [value["Properties"] for value in of_type(resources, "AWS::CloudWatch::Alarm").values()]
    return [alarm for alarm in alarms if _metric_names(alarm) == {metric}]


def _metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm.get("Metrics", []) if "MetricStat" in m}


def dimensions(alarm: dict[str, Any]) -> dict[str, Any]:
    """An alarm's metric's dimensions, by name, whether it has a metric or metric math of one."""
    found = alarm.get("Dimensions") or next(
        m["MetricStat"]["Metric"]["Dimensions"] for m in alarm["Metrics"] if "MetricStat" in m
    )
    return {item["Name"]: item["Value"] for item in found}


def dead_letter_alarm(resources: Resources, queue_id: str) -> dict[str, Any]:
    """The alarm on the depth of the queue of that logical id."""
    queue_name = {"Fn::GetAtt": [queue_id, "QueueName"]}
    (alarm,) = [
        alarm
        for alarm in alarms_on(resources, "ApproximateNumberOfMessagesVisible")
        if dimensions(alarm)["QueueName"] == queue_name
    ]
    return alarm
