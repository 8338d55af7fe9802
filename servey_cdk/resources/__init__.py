"""Resources from code: tables, buckets, secrets and parameters an app declares and its actions use."""

from servey_cdk.resources.declared import ACCESSES, Bucket, Index, Key, Parameter, Resource, Secret, Table
from servey_cdk.resources.uses import IAM_ACTIONS, Access, Use, iam_actions

__all__ = [
    "ACCESSES",
    "IAM_ACTIONS",
    "Access",
    "Bucket",
    "Index",
    "Key",
    "Parameter",
    "Resource",
    "Secret",
    "Table",
    "Use",
    "iam_actions",
]
