"""`ServeyResources`: the app's declared tables, buckets, secrets and parameters, and each function's
grants on them, exactly what its actions' `uses=` name.

A resource is the construct given for it (`tables`, `buckets`, `secrets`, `parameters`, by logical
name), else the existing one its declaration (or `existing_bucket_names`) adopts by name or ARN,
else a new one, secure by default: tables on demand, encrypted, with point-in-time recovery and
kept when the stack goes; buckets private, encrypted, versioned, SSL only and logging their access;
secrets and parameters made empty or with their initial value. A function learns each name it
uses (a secret's ARN) through the wire contract's `SERVEY_<KIND>_<NAME>` variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_lib import builders
from constructs_lib.builders import acknowledge, acknowledge_checkov, construct_id, flattened
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, override_problems, raise_if_any, unknown_names_problems
from servey_cdk.appspec import AppSpec, IndexSpec, KeySpec, TableSpec, UseSpec
from servey_cdk.resources.uses import iam_actions
from servey_cdk.wire import RESOURCE_PREFIXES, environment_name

ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
STREAM_VIEWS = {
    "keys_only": dynamodb.StreamViewType.KEYS_ONLY,
    "new_image": dynamodb.StreamViewType.NEW_IMAGE,
    "old_image": dynamodb.StreamViewType.OLD_IMAGE,
    "new_and_old_images": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
}
PROJECTIONS = {
    "all": dynamodb.ProjectionType.ALL,
    "keys_only": dynamodb.ProjectionType.KEYS_ONLY,
    "include": dynamodb.ProjectionType.INCLUDE,
}
# What the declaration sets: an override of these would contradict the app's own code.
TABLE_KEYS_FROM_SPEC = ("partition_key", "sort_key", "time_to_live_attribute", "stream", "table_name")
SECRET_MANAGED_KEY = (
    "Encrypted with the AWS-managed key of Secrets Manager; a customer-managed key "
    "(secret_props encryption_key) is the owner's choice"
)
SECRET_VALUE_LATER = (
    "The secret's value is the owner's, put after the first deploy (`aws secretsmanager put-secret-value`); "
    "rotating it needs a rotation function that knows the provider it is a key of"
)


class ServeyResources(Construct):
    """Attributes: `tables` (`dynamodb.ITable`), `buckets` (`s3.IBucket`), `secrets`
    (`secretsmanager.ISecret`) and `parameters` (`ssm.IStringParameter`), by logical name;
    `access_logs_bucket` (None when no bucket is made)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        tables: Mapping[str, dynamodb.ITable] | None = None,
        buckets: Mapping[str, s3.IBucket] | None = None,
        secrets: Mapping[str, secretsmanager.ISecret] | None = None,
        parameters: Mapping[str, ssm.IStringParameter] | None = None,
        existing_bucket_names: Mapping[str, str] | None = None,
        declared_table_props: Props | None = None,
        bucket_props: Props | None = None,
        secret_props: Props | None = None,
        access_logs_bucket: s3.IBucket | None = None,
    ) -> None:
        super().__init__(scope, id)
        given = {"tables": tables, "buckets": buckets, "secrets": secrets, "parameters": parameters}
        problems = resources_problems(
            spec, given, existing_bucket_names, declared_table_props, bucket_props, secret_props
        )
        raise_if_any("ServeyResources", problems)
        adopted_buckets = {b.name: b.existing for b in spec.buckets if b.existing} | dict(
            existing_bucket_names or {}
        )
        self.access_logs_bucket = access_logs_bucket
        self._bucket_props = bucket_props
        self.tables: dict[str, dynamodb.ITable] = {
            table.name: (tables or {}).get(table.name) or self._table(table, declared_table_props)
            for table in spec.tables
        }
        self.buckets: dict[str, s3.IBucket] = {
            bucket.name: (buckets or {}).get(bucket.name) or self._bucket(bucket.name, adopted_buckets)
            for bucket in spec.buckets
        }
        self.secrets: dict[str, secretsmanager.ISecret] = {
            secret.name: (secrets or {}).get(secret.name)
            or self._secret(secret.name, secret.existing, secret.description, secret_props)
            for secret in spec.secrets
        }
        self.parameters: dict[str, ssm.IStringParameter] = {
            parameter.name: (parameters or {}).get(parameter.name)
            or self._parameter(parameter.name, parameter.existing, parameter.initial)
            for parameter in spec.parameters
        }
        indexes = {table.name: table.indexes for table in spec.tables}
        for function_spec in spec.functions:
            for use in function_spec.uses:
                self._grant(functions.functions[function_spec.name], use, indexes.get(use.resource, ()))

    def _table(self, table: TableSpec, overrides: Props | None) -> dynamodb.ITable:
        id = construct_id(f"{table.name}-table")
        if table.existing is not None:
            if table.existing.startswith("arn:"):
                return dynamodb.Table.from_table_arn(self, id, table.existing)
            return dynamodb.Table.from_table_name(self, id, table.existing)
        made = dynamodb.Table(
            self,
            id,
            **merged(
                {
                    "billing_mode": dynamodb.BillingMode.PAY_PER_REQUEST,
                    "encryption": dynamodb.TableEncryption.AWS_MANAGED,
                    "point_in_time_recovery_specification": dynamodb.PointInTimeRecoverySpecification(
                        point_in_time_recovery_enabled=True
                    ),
                    "removal_policy": RemovalPolicy.RETAIN,  # an app's data outlives its stack
                },
                overrides,
            ),
            partition_key=_attribute(table.partition_key),
            sort_key=_attribute(table.sort_key) if table.sort_key else None,
            time_to_live_attribute=table.ttl_attribute,
            stream=STREAM_VIEWS[table.stream] if table.stream else None,
        )
        for index in table.indexes:
            made.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=PROJECTIONS[index.projection],
                non_key_attributes=list(index.attributes) or None,
            )
        if made.encryption_key is None:
            acknowledge_checkov(
                made,
                "CKV_AWS_119",
                "Encrypted at rest with the AWS-managed key of DynamoDB; a customer-managed key "
                "(declared_table_props encryption_key) is the owner's choice, with its own cost and policy",
            )
        return made

    def _bucket(self, name: str, adopted: Mapping[str, str]) -> s3.IBucket:
        id = construct_id(name)
        existing = adopted.get(name)
        if existing is not None:
            if existing.startswith("arn:"):
                return s3.Bucket.from_bucket_arn(self, id, existing)
            return s3.Bucket.from_bucket_name(self, id, existing)
        if self.access_logs_bucket is None:
            self.access_logs_bucket = builders.access_logs_bucket(self, "AccessLogs")
        return builders.bucket(self, id, self._bucket_props, self.access_logs_bucket, f"{name}/")

    def _secret(
        self, name: str, existing: str | None, description: str | None, overrides: Props | None
    ) -> secretsmanager.ISecret:
        id = construct_id(f"{name}-secret")
        if existing is not None:
            if existing.startswith("arn:"):
                return secretsmanager.Secret.from_secret_complete_arn(self, id, existing)
            return secretsmanager.Secret.from_secret_name_v2(self, id, existing)
        secret = secretsmanager.Secret(
            self, id, **merged({"description": description or f"{name}, declared by the app"}, overrides)
        )
        acknowledge(secret, "AwsSolutions-SMG4", SECRET_VALUE_LATER)
        acknowledge_checkov(secret, "CKV_AWS_149", SECRET_MANAGED_KEY)
        return secret

    def _parameter(self, name: str, existing: str | None, initial: str | None) -> ssm.IStringParameter:
        id = construct_id(f"{name}-parameter")
        if existing is not None:
            named = existing.partition(":parameter")[2] if existing.startswith("arn:") else existing
            return ssm.StringParameter.from_string_parameter_name(self, id, named)
        return ssm.StringParameter(
            self, id, string_value=initial or "", description=f"{name}, declared by the app"
        )

    def _grant(self, function: lambda_.Function, use: UseSpec, indexes: tuple[IndexSpec, ...]) -> None:
        actions = list(iam_actions(use.kind, use.access))
        if use.kind == "table":
            table = self.tables[use.resource]
            arns = [table.table_arn]
            if use.access != "write":  # queries of an index name the index
                arns += [f"{table.table_arn}/index/{index.name}" for index in indexes]
            _allow(function, actions, arns)
            name = table.table_name
        elif use.kind == "bucket":
            bucket = self.buckets[use.resource]
            listing = [action for action in actions if action == "s3:ListBucket"]
            if listing:
                _allow(function, listing, [bucket.bucket_arn])
            _allow(function, [a for a in actions if a not in listing], [bucket.arn_for_objects("*")])
            assert function.role is not None
            acknowledge(
                function.role,
                f"AwsSolutions-IAM5[Resource::{flattened(self, bucket.bucket_arn)}/*]",
                f"A {use.access} of bucket {use.resource!r}: its objects' keys are known only at run time",
            )
            name = bucket.bucket_name
        elif use.kind == "secret":
            secret = self.secrets[use.resource]
            arn = secret.secret_full_arn or f"{secret.secret_arn}-??????"  # a name's ARN has a random suffix
            _allow(function, actions, [arn])
            if secret.secret_full_arn is None:
                assert function.role is not None
                acknowledge(
                    function.role,
                    f"AwsSolutions-IAM5[Resource::{flattened(self, secret.secret_arn)}-??????]",
                    f"Secret {use.resource!r} is adopted by name: its ARN ends with six characters "
                    "of Secrets Manager's choosing",
                )
            name = secret.secret_arn
        else:
            parameter = self.parameters[use.resource]
            _allow(function, actions, [parameter.parameter_arn])
            name = parameter.parameter_name
        function.add_environment(environment_name(RESOURCE_PREFIXES[use.kind], use.resource), name)


def _allow(function: lambda_.Function, actions: list[str], arns: list[str]) -> None:
    function.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=arns))


def _attribute(key: KeySpec) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=ATTRIBUTE_TYPES[key.type])


def resources_problems(
    spec: AppSpec,
    given: Mapping[str, Mapping[str, Any] | None],
    existing_bucket_names: Mapping[str, str] | None = None,
    declared_table_props: Props | None = None,
    bucket_props: Props | None = None,
    secret_props: Props | None = None,
) -> list[str]:
    """Constructs given for resources the app does not declare, a bucket both given and adopted,
    and overrides the CDK class does not take or the declaration already sets."""
    known = {
        "tables": [t.name for t in spec.tables],
        "buckets": [b.name for b in spec.buckets],
        "secrets": [s.name for s in spec.secrets],
        "parameters": [p.name for p in spec.parameters],
    }
    problems = [
        problem
        for prop, constructs in given.items()
        for problem in unknown_names_problems(prop, constructs or {}, known[prop])
    ]
    problems += unknown_names_problems("existing_bucket_names", existing_bucket_names or {}, known["buckets"])
    problems += [
        f"bucket {name!r} is given both in buckets and in existing_bucket_names"
        for name in sorted(set(given.get("buckets") or {}) & set(existing_bucket_names or {}))
    ]
    problems += override_problems(
        "declared_table_props", declared_table_props, dynamodb.Table, TABLE_KEYS_FROM_SPEC
    )
    problems += override_problems("secret_props", secret_props, secretsmanager.Secret, ("secret_name",))
    return problems + builders.bucket_props_problems(bucket_props)
