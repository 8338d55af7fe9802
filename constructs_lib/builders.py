"""Small builders the constructs share: ids, environment names, logs, acknowledgments."""

from __future__ import annotations

import re

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from constructs_lib import defaults
from constructs_lib.props import Props, merged

BASIC_EXECUTION_POLICY = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def construct_id(name: str) -> str:
    """`messager-record_message` → `MessagerRecordMessage`: a stable, readable logical id."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def environment_name(prefix: str, name: str) -> str:
    """`SERVEY_QUEUE_` + `messager-record_message` → `SERVEY_QUEUE_MESSAGER_RECORD_MESSAGE`."""
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def log_group(scope: Construct, id: str, overrides: Props | None = None) -> logs.LogGroup:
    return logs.LogGroup(scope, id, **merged(defaults.log_group_props(), overrides))


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (`AwsSolutions-IAM5[...]`, `Serverless-...`) on `construct`."""
    pack = rule.split("-", 1)[0]
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{pack}::{rule}", reason=reason))


def acknowledge_invoke_wildcard(construct: IConstruct, function: IConstruct) -> None:
    """`grant_invoke` also allows the function's versions and aliases (`<arn>:*`)."""
    acknowledge(
        construct,
        f"AwsSolutions-IAM5[Resource::<{logical_id(function)}.Arn>:*]",
        "Invoking a function's versions and aliases is part of CDK's grant_invoke; it names one function",
    )


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of a construct's resource, as cdk-nag names it in findings."""
    element = (
        construct.node.default_child if isinstance(construct.node.default_child, CfnElement) else construct
    )
    assert isinstance(element, CfnElement)
    stack = Stack.of(element)
    return str(stack.resolve(stack.get_logical_id(element)))


def access_logs_bucket(scope: Construct, id: str) -> s3.Bucket:
    """A bucket for S3 server access logs and CloudFront standard logs (which need ACLs)."""
    bucket = s3.Bucket(scope, id, **defaults.access_logs_bucket_props())
    acknowledge(bucket, "AwsSolutions-S1", "This is the access-log bucket; logging it would log its own logs")
    return bucket


def dead_letter_queue(scope: Construct, id: str, of_what: str, overrides: Props | None = None) -> sqs.Queue:
    queue = sqs.Queue(scope, id, **merged(defaults.dead_letter_queue_props(), overrides))
    reason = f"This queue is the dead-letter queue of {of_what}"
    acknowledge(queue, "AwsSolutions-SQS3", reason)
    acknowledge(queue, "Serverless-SQSRedrivePolicy", reason)
    return queue


def stack_singleton(scope: IConstruct, id_prefix: str) -> IConstruct | None:
    """A construct CDK keeps once per stack (custom resource handlers), to acknowledge findings on it."""
    children = Stack.of(scope).node.children
    return next((child for child in children if child.node.id.startswith(id_prefix)), None)
