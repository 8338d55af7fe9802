"""What an action uses of a resource, and the IAM actions each use is granted: nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from servey_cdk.resources.declared import Resource

Access = Literal["read", "write", "read_write"]


@dataclass(frozen=True)
class Use:
    """`orders.read_write()`: an action's use of a resource, for `@action(uses=…)`."""

    resource: Resource
    access: Access


# The IAM actions of each kind of resource and access; `read_write` is both. A table's are granted
# on the table and its indexes, a bucket's `ListBucket` on the bucket and the rest on its objects.
IAM_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "table": {
        "read": (
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
        ),
        "write": (
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ),
    },
    "bucket": {
        "read": ("s3:GetObject", "s3:ListBucket"),
        "write": ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"),
    },
    "secret": {"read": ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")},
    "parameter": {"read": ("ssm:GetParameter", "ssm:GetParameters")},
}


def iam_actions(kind: str, access: str) -> tuple[str, ...]:
    """The IAM actions a use grants, sorted: `read_write` of a table is its reads and its writes."""
    granted = IAM_ACTIONS[kind]
    parts = ("read", "write") if access == "read_write" else (access,)
    return tuple(sorted({name for part in parts for name in granted[part]}))


def merged(accesses: set[str]) -> Access:
    """One access for several uses of one resource: `read` and `write` together are `read_write`."""
    if "read_write" in accesses or {"read", "write"} <= accesses:
        return "read_write"
    return "write" if "write" in accesses else "read"
