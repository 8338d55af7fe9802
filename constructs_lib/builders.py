"""Small builders the constructs share: ids, environment names, logs, acknowledgments (cdk-nag, checkov)."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import Acknowledgment, CfnElement, CfnResource, Stack, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from constructs_lib import defaults
from constructs_lib.props import Props, merged, override_problems, owned_keys_problems

BASIC_EXECUTION_POLICY = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def construct_id(name: str) -> str:
    """`messager-record_message` → `MessagerRecordMessage`: a stable, readable logical id."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


# Keys that would give every resource made from one override the same name.
ONE_NAME_FOR_ALL = "would give each of the resources these props shape the same name"


def log_group_props_problems(log_group_props: Props | None) -> list[str]:
    return override_problems("log_group_props", log_group_props, logs.LogGroup) + owned_keys_problems(
        "log_group_props", log_group_props, ("log_group_name",), ONE_NAME_FOR_ALL
    )


def log_group(scope: Construct, id: str, overrides: Props | None = None) -> logs.LogGroup:
    group = logs.LogGroup(scope, id, **merged(defaults.log_group_props(), overrides))
    resource = group.node.default_child
    assert isinstance(resource, logs.CfnLogGroup)
    if resource.kms_key_id is None:
        acknowledge_checkov(
            group,
            "CKV_AWS_158",
            "CloudWatch Logs encrypts every log group at rest; a customer-managed key (log_group_props "
            "encryption_key) is the owner's choice, with its own cost and key policy",
        )
    return group


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (`AwsSolutions-IAM5[...]`, `Serverless-...`) on `construct`."""
    pack = rule.split("-", 1)[0]
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{pack}::{rule}", reason=reason))


def acknowledge_checkov(construct: IConstruct, check: str, reason: str) -> None:
    """Skip one checkov check (`CKV_AWS_115`) on `construct`'s own resource, with the reason beside it:
    checkov reads a resource's `Metadata.checkov.skip`."""
    resource = construct.node.default_child or construct
    assert isinstance(resource, CfnResource)
    skips = (resource.get_metadata("checkov") or {}).get("skip", [])
    resource.add_metadata("checkov", {"skip": [*skips, {"id": check, "comment": reason}]})


# The checkov checks that a Lambda function CDK itself runs while deploying (custom resources) does not meet.
CDK_HANDLER_CHECKS = {
    "CKV_AWS_115": "it runs only while CloudFormation deploys the stack, so needs no reserved concurrency",
    "CKV_AWS_116": "CloudFormation awaits its answer, and fails the deployment without it",
    "CKV_AWS_117": "it calls only AWS's public endpoints, so a VPC would only add NAT costs",
}


def acknowledge_cdk_handler(handler: IConstruct, what: str) -> None:
    for check, why in CDK_HANDLER_CHECKS.items():
        acknowledge_checkov(handler, check, f"{what}; {why}")


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


def flattened(scope: IConstruct, value: str) -> str:
    """A token (an ARN) as cdk-nag writes it in a finding: `<Table1234.Arn>/index/*`,
    `arn:<AWS::Partition>:dynamodb:...`: for acknowledging findings on given resources too."""
    return _flattened(Stack.of(scope).resolve(value))


def _flattened(node: Any) -> str:
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Fn::Join":
            return str(argument[0]).join(_flattened(item) for item in argument[1])
        if function == "Fn::GetAtt":
            return f"<{_flattened(argument[0])}.{_flattened(argument[1])}>"
        if function == "Ref":
            return f"<{_flattened(argument)}>"
        if function in ("Fn::Sub", "Fn::ImportValue"):
            return _flattened(argument)
    return json.dumps(node, separators=(",", ":"))


def access_logs_bucket(scope: Construct, id: str) -> s3.Bucket:
    """A bucket for S3 server access logs and CloudFront standard logs (which need ACLs)."""
    bucket = s3.Bucket(scope, id, **defaults.access_logs_bucket_props())
    reason = "This is the access-log bucket; logging it would log its own logs"
    acknowledge(bucket, "AwsSolutions-S1", reason)
    acknowledge_checkov(bucket, "CKV_AWS_18", reason)
    return bucket


def bucket_props_problems(bucket_props: Props | None) -> list[str]:
    problems = override_problems(
        "bucket_props", bucket_props, s3.Bucket, ("server_access_logs_bucket", "server_access_logs_prefix")
    )
    return problems + owned_keys_problems("bucket_props", bucket_props, ("bucket_name",), ONE_NAME_FOR_ALL)


def bucket(
    scope: Construct, id: str, overrides: Props | None, access_logs: s3.IBucket, logs_prefix: str
) -> s3.Bucket:
    """A private bucket (defaults.bucket_props) that logs its access to `access_logs`."""
    return s3.Bucket(
        scope,
        id,
        **merged(defaults.bucket_props(), overrides),
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=logs_prefix,
    )


def dead_letter_queue_props_problems(dead_letter_queue_props: Props | None) -> list[str]:
    name = "dead_letter_queue_props"
    return override_problems(name, dead_letter_queue_props, sqs.Queue) + owned_keys_problems(
        name, dead_letter_queue_props, ("queue_name",), ONE_NAME_FOR_ALL
    )


def dead_letter_queue(scope: Construct, id: str, of_what: str, overrides: Props | None = None) -> sqs.Queue:
    queue = sqs.Queue(scope, id, **merged(defaults.dead_letter_queue_props(), overrides))
    reason = f"This queue is the dead-letter queue of {of_what}"
    acknowledge(queue, "AwsSolutions-SQS3", reason)
    acknowledge(queue, "Serverless-SQSRedrivePolicy", reason)
    acknowledge_sqs_managed_encryption(queue)
    return queue


def acknowledge_sqs_managed_encryption(queue: sqs.Queue) -> None:
    if queue.encryption_type == sqs.QueueEncryption.SQS_MANAGED:
        acknowledge_checkov(
            queue,
            "CKV_AWS_27",
            "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which this check does not read; "
            "EventBridge cannot deliver to a queue under the AWS-managed KMS key, and a customer-managed "
            "one (queue_props, dead_letter_queue_props) is the owner's choice",
        )


def stack_singleton(scope: IConstruct, id_prefix: str) -> IConstruct | None:
    """A construct CDK keeps once per stack (custom resource handlers), to acknowledge findings on it."""
    children = Stack.of(scope).node.children
    return next((child for child in children if child.node.id.startswith(id_prefix)), None)
