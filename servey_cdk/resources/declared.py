"""Resources declared in an app's modules: `Table`, `Bucket`, `Secret`, `Parameter`.

Like actions, they only describe: discovery collects them, the AppSpec carries them, the
constructs create (or adopt) them and grant each function what its actions' `uses=` name,
and servey-local backs them with a local AWS. Inside a function, the same objects give the
action a ready client (`servey_cdk.aws.resources`), made on first use and kept per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from servey_cdk.resources.uses import Access, Use

if TYPE_CHECKING:
    from servey_cdk.aws.resources import BotoBucket, BotoTable, DynamoDBClient, S3Client

KeyType = Literal["S", "N", "B"]  # DynamoDB's key attribute types: string, number, binary
StreamView = Literal["keys_only", "new_image", "old_image", "new_and_old_images"]
ResourceKind = Literal["table", "bucket", "secret", "parameter"]


@dataclass(frozen=True)
class Key:
    """A key attribute of a table or an index: its name and DynamoDB type."""

    name: str
    type: KeyType = "S"


@dataclass(frozen=True)
class Index:
    """A global secondary index; `projection` "all", "keys_only", or the attributes it carries."""

    name: str
    partition_key: Key | str
    sort_key: Key | str | None = None
    projection: Literal["all", "keys_only"] | tuple[str, ...] = "all"


@dataclass(frozen=True, eq=False)
class Table:
    """A DynamoDB table. Keys given as a string are strings (`"S"`).

    `ttl_attribute` names the attribute DynamoDB expires items by; `stream` turns on the table's
    stream with that view (a `TableStreamTrigger` needs one). `existing` adopts a table by name
    or ARN instead of creating one. `seed` items are put into the table where servey-local or the
    rehearsal first creates it, never on AWS.
    """

    name: str
    partition_key: Key | str = "pk"
    sort_key: Key | str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    stream: StreamView | None = None
    existing: str | None = None
    seed: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)

    kind: ResourceKind = field(default="table", init=False, repr=False)

    def read(self) -> Use:
        return Use(self, "read")

    def write(self) -> Use:
        return Use(self, "write")

    def read_write(self) -> Use:
        return Use(self, "read_write")

    @property
    def table_name(self) -> str:
        """The table's name as deployed, as the function's environment gives it."""
        from servey_cdk.aws.resources import deployed_name

        return deployed_name(self)

    @property
    def table(self) -> BotoTable:
        """boto3's `Table` of this table, made on first use and kept."""
        from servey_cdk.aws.resources import table_of

        return table_of(self)

    @property
    def client(self) -> DynamoDBClient:
        from servey_cdk.aws.resources import client_of

        return client_of("dynamodb")


@dataclass(frozen=True, eq=False)
class Bucket:
    """An S3 bucket: the app's own (private, encrypted, SSL only), or `existing`, by name or ARN."""

    name: str
    existing: str | None = None

    kind: ResourceKind = field(default="bucket", init=False, repr=False)

    def read(self) -> Use:
        return Use(self, "read")

    def write(self) -> Use:
        return Use(self, "write")

    def read_write(self) -> Use:
        return Use(self, "read_write")

    @property
    def bucket_name(self) -> str:
        from servey_cdk.aws.resources import deployed_name

        return deployed_name(self)

    @property
    def bucket(self) -> BotoBucket:
        """boto3's `Bucket` of this bucket, made on first use and kept."""
        from servey_cdk.aws.resources import bucket_of

        return bucket_of(self)

    @property
    def client(self) -> S3Client:
        from servey_cdk.aws.resources import client_of

        return client_of("s3")


@dataclass(frozen=True, eq=False)
class Secret:
    """A Secrets Manager secret: made by the constructs (its value set after the deploy) or
    `existing`, by name or ARN. Locally, its value comes from `.servey/secrets.json` or the
    environment (`servey_cdk.resources.local_values`)."""

    name: str
    existing: str | None = None
    description: str | None = None

    kind: ResourceKind = field(default="secret", init=False, repr=False)

    def read(self) -> Use:
        return Use(self, "read")

    @property
    def value(self) -> str:
        """The secret's value, read once per process and never logged."""
        from servey_cdk.aws.resources import secret_value

        return secret_value(self)


@dataclass(frozen=True, eq=False)
class Parameter:
    """An SSM String parameter: made by the constructs holding `initial`, or `existing`, by name.
    Locally it holds `initial` unless `.servey/secrets.json` or the environment say otherwise."""

    name: str
    initial: str | None = None
    existing: str | None = None

    kind: ResourceKind = field(default="parameter", init=False, repr=False)

    def read(self) -> Use:
        return Use(self, "read")

    @property
    def value(self) -> str:
        """The parameter's value as SSM holds it, read once per process."""
        from servey_cdk.aws.resources import parameter_value

        return parameter_value(self)


Resource = Table | Bucket | Secret | Parameter
ACCESSES: dict[ResourceKind, tuple[Access, ...]] = {
    "table": ("read", "write", "read_write"),
    "bucket": ("read", "write", "read_write"),
    "secret": ("read",),
    "parameter": ("read",),
}
