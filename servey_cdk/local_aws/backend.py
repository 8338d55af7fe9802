"""`LocalResources`: the app's declared resources made in moto, each function told the names of what
it is granted, and what they hold kept in a folder.

While it runs, boto3 in this process finds moto through `AWS_ENDPOINT_URL_<SERVICE>` for the
services of declared resources only (calls to other services go where they went before), a
region when none is set and made-up credentials when the machine has none. A function reads a
resource's name through `servey_cdk.aws.resources`, which asks this backend: the running
function gets only the names its uses grant, as on Lambda, so a missing `uses=` fails locally
too. Outside any function (`servey run`, a test) every name is given.
"""

from __future__ import annotations

import contextlib
import os
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servey_cdk.appspec import AppSpec, TableSpec
from servey_cdk.aws import resources as clients
from servey_cdk.local_aws.server import Served, shared_server
from servey_cdk.local_aws.state import ResourceState
from servey_cdk.local_aws.values import parameter_value, secret_values
from servey_cdk.redaction import keep_out_of_logs
from servey_cdk.wire import RESOURCE_PREFIXES, environment_name

REGION = "us-east-1"  # moto's backends are per region, and know only AWS's own
ENDPOINT_VARIABLES = {
    "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB",
    "dynamodbstreams": "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    "s3": "AWS_ENDPOINT_URL_S3",
    "secretsmanager": "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "ssm": "AWS_ENDPOINT_URL_SSM",
}
# The requests that change what a table or a parameter holds (DynamoDB's reads are POSTs too).
WRITES = {
    f"DynamoDB_20120810.{operation}"
    for operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                      "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction")
} | {"AmazonSSM.PutParameter", "AmazonSSM.DeleteParameter"}  # fmt: skip
CREDENTIAL_SOURCES = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
_RUNNING: list[LocalResources] = []  # the one entered in this process, if any
_CLIENTS: dict[str, Any] = {}  # of the shared server, by service: a client takes a tenth of a second to make
SAVE_AFTER_S = 0.2  # writes that come together are kept with one save
S3_EVENTS = {
    "created": "ObjectCreated:Put",
    "copied": "ObjectCreated:Copy",
    "completed": "ObjectCreated:CompleteMultipartUpload",
    "removed": "ObjectRemoved:Delete",
}


@dataclass(frozen=True)
class ObjectChange:
    """An object put into or removed from a declared bucket, as S3 would notify of it."""

    bucket: str
    key: str
    event_name: str  # S3's, as `ObjectCreated:Put`

    @property
    def kind(self) -> str:
        """ "created" or "removed", as an S3Trigger's events name them."""
        return "created" if self.event_name.startswith("ObjectCreated") else "removed"


class LocalResources:
    """Use as a context manager: made on entering, kept and undone on leaving.

    `folder`: where what the resources hold is kept (None: nothing is kept). `current_function`:
    the function this thread runs, None outside any. `on_object` and `on_table_write` are told of
    each change, in moto's thread: S3's notifications and the tables' streams start from them.
    """

    def __init__(
        self,
        spec: AppSpec,
        folder: Path | None = None,
        current_function: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.spec = spec
        self.folder = folder
        self.state = ResourceState(folder) if folder is not None else None
        self.current_function = current_function
        self.on_object: list[Callable[[ObjectChange], None]] = []
        self.on_table_write: list[Callable[[], None]] = []
        self.secrets: dict[str, str] = {}
        self.endpoint = ""
        self._names = {
            environment_name(RESOURCE_PREFIXES[kind], name): name
            for kind, names in self.names_by_kind().items()
            for name in names
        }
        # Locally a resource's name is its declared one; a function is told those its uses grant.
        self._granted = {
            function.name: {
                environment_name(RESOURCE_PREFIXES[u.kind], u.resource): u.resource for u in function.uses
            }
            for function in spec.functions
        }
        self._dirty: set[str] = set()
        self._watching = False  # what provisioning writes is not a change to keep
        self._lock = threading.Lock()
        self._saving = threading.Lock()
        self._timer: threading.Timer | None = None
        self._restore: dict[str, str | None] = {}
        self._previous_lookup: clients.NameLookup | None = None

    def names_by_kind(self) -> dict[str, list[str]]:
        spec = self.spec
        return {
            "table": [table.name for table in spec.tables],
            "bucket": [bucket.name for bucket in spec.buckets],
            "secret": [secret.name for secret in spec.secrets],
            "parameter": [parameter.name for parameter in spec.parameters],
        }

    def __enter__(self) -> LocalResources:
        self._server = server = shared_server()
        with self._lock:
            if server.observer is not None:
                raise RuntimeError("a local AWS is running in this process already: one at a time")
            server.observer = self._observe
        self.endpoint = server.endpoint
        try:
            server.reset()  # a run before this one left what it made
            self._provision()
        except BaseException:
            server.observer = None
            raise
        self._watching = True
        self._install_environment()
        self._previous_lookup = clients.look_up_names_with(self._name)
        _RUNNING.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        _RUNNING.remove(self)
        with self._lock:
            self._watching = False
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            timer.join()
        self.save()
        self._server.reset()
        self._server.observer = None
        if self._previous_lookup is not None:
            clients.look_up_names_with(self._previous_lookup)
        for variable, value in self._restore.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value

    def client(self, service: str) -> Any:
        """A boto3 client of the local AWS, whatever the environment says; one a service."""
        found = _CLIENTS.get(service)
        if found is None:
            import boto3  # type: ignore[import-untyped]

            with self._lock:
                found = _CLIENTS[service] = boto3.session.Session().client(
                    service, endpoint_url=self.endpoint, region_name=REGION,
                    aws_access_key_id="servey-local", aws_secret_access_key="servey-local",
                )  # fmt: skip
        return found

    def save(self) -> None:
        """Keep what changed since the last save in the folder: one save at a time, so that the last
        one, as the run ends, waits for any under way; what a failed save held is saved next time."""
        if self.state is None:
            return
        with self._saving:
            with self._lock:
                dirty, self._dirty = self._dirty, set()
                if self._timer is threading.current_thread():
                    self._timer = None
            try:
                self._save(sorted(dirty))
            except BaseException:
                with self._lock:
                    self._dirty |= dirty
                raise

    def _save(self, dirty: list[str]) -> None:
        assert self.state is not None
        for kind_name in dirty:
            kind, _, name = kind_name.partition(":")
            if kind == "table":
                self.state.save_table(self.client("dynamodb"), name)
            elif kind == "bucket":
                self.state.save_bucket(self.client("s3"), name)
            elif kind == "parameters":
                ssm = self.client("ssm")
                values = {
                    p.name: ssm.get_parameter(Name=p.name)["Parameter"]["Value"] for p in self.spec.parameters
                }
                self.state.save_parameters(values)

    def _name(self, variable: str) -> str | None:
        function = self.current_function()
        names = self._granted.get(function, self._names) if function is not None else self._names
        return names.get(variable)

    def _reset(self) -> None:
        import urllib.request

        urllib.request.urlopen(
            urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        ).close()

    def _provision(self) -> None:
        environ = os.environ
        dynamodb = self.client("dynamodb")
        for table in self.spec.tables:
            dynamodb.create_table(**create_table_request(table))
            if table.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=table.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
                )
            loaded = self.state is not None and self.state.load_table(dynamodb, table.name)
            for item in () if loaded else table.seed:  # seeds go only into a table made for the first time
                dynamodb.put_item(TableName=table.name, Item=item)
            if not loaded and table.seed:
                self._dirty.add(f"table:{table.name}")  # kept at the first save: the seeds go in once
        s3 = self.client("s3")
        for bucket in self.spec.buckets:
            s3.create_bucket(Bucket=bucket.name)
            if self.state is not None:
                self.state.load_bucket(s3, bucket.name)
        self.secrets = secret_values([secret.name for secret in self.spec.secrets], self.folder, environ)
        manager = self.client("secretsmanager")
        for name, value in self.secrets.items():
            keep_out_of_logs(value)
            manager.create_secret(Name=name, SecretString=value)
        kept = self.state.parameters() if self.state is not None else {}
        ssm = self.client("ssm")
        for parameter in self.spec.parameters:
            value = parameter_value(parameter.name, kept.get(parameter.name), parameter.initial, environ)
            ssm.put_parameter(Name=parameter.name, Value=value, Type="String", Overwrite=True)

    def _install_environment(self) -> None:
        wanted = dict.fromkeys(ENDPOINT_VARIABLES.values(), self.endpoint)
        if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
            wanted["AWS_DEFAULT_REGION"] = REGION
        if not _has_credentials():
            wanted |= {"AWS_ACCESS_KEY_ID": "servey-local", "AWS_SECRET_ACCESS_KEY": "servey-local"}
        for variable, value in wanted.items():
            self._restore[variable] = os.environ.get(variable)
            os.environ[variable] = value
        clients.forget()  # clients made before now point elsewhere

    def _observe(self, served: Served) -> None:
        if served.target and served.target not in WRITES:
            return
        if served.target.startswith("DynamoDB_"):
            for table in self.spec.tables:
                self._mark(f"table:{table.name}")
            for written in self.on_table_write:
                written()
        elif served.target.startswith("AmazonSSM."):
            self._mark("parameters")
        elif not served.target:
            changes = object_changes(served, {bucket.name for bucket in self.spec.buckets})
            for change in changes:
                self._mark(f"bucket:{change.bucket}")
                for changed in self.on_object:
                    changed(change)

    def _mark(self, what: str) -> None:
        if self.state is None:
            return
        with self._lock:
            if not self._watching:
                return
            self._dirty.add(what)
            if self._timer is None:
                self._timer = threading.Timer(SAVE_AFTER_S, self.save)
                self._timer.daemon = True
                self._timer.start()


def running_local_aws() -> LocalResources | None:
    """The local AWS running in this process: one servey-local (or a test) made, which another
    runtime of the same app may share."""
    return _RUNNING[0] if _RUNNING else None


def declared_resources(spec: AppSpec) -> contextlib.AbstractContextManager[LocalResources | None]:
    """A fresh local AWS of the app's declared resources, seeded and kept nowhere, for `servey run`
    and the example tests; nothing at all for an app that declares none."""
    if spec.tables or spec.buckets or spec.secrets or spec.parameters:
        return LocalResources(spec)
    return contextlib.nullcontext()


def create_table_request(table: TableSpec) -> dict[str, Any]:
    """CreateTable's request for a declared table: its keys, indexes and stream, paid per request."""

    def schema(partition: Any, sort: Any) -> list[dict[str, str]]:
        keys = [{"AttributeName": partition.name, "KeyType": "HASH"}]
        return keys + ([{"AttributeName": sort.name, "KeyType": "RANGE"}] if sort is not None else [])

    attributes: dict[str, str] = {}
    for key in (
        table.partition_key,
        table.sort_key,
        *(k for i in table.indexes for k in (i.partition_key, i.sort_key)),
    ):
        if key is not None:
            attributes[key.name] = key.type
    request: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": schema(table.partition_key, table.sort_key),
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": index.projection.upper()}
                | ({"NonKeyAttributes": list(index.attributes)} if index.projection == "include" else {}),
            }
            for index in table.indexes
        ]
    if table.stream is not None:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream.upper()}
    return request


def object_changes(served: Served, buckets: set[str]) -> list[ObjectChange]:
    """The objects an S3 request changed in one of `buckets`, as S3 would notify of them."""
    bucket, _, key = served.path.lstrip("/").partition("/")
    if bucket not in buckets:
        return []
    query = served.query
    if served.method == "PUT" and key and "partNumber=" not in query and "tagging" not in query:
        return [ObjectChange(bucket, key, S3_EVENTS["copied" if served.copy_source else "created"])]
    if served.method == "POST" and key and "uploadId=" in query:
        return [ObjectChange(bucket, key, S3_EVENTS["completed"])]
    if served.method == "DELETE" and key and "uploadId=" not in query:
        return [ObjectChange(bucket, key, S3_EVENTS["removed"])]
    if served.method == "POST" and not key and query.startswith("delete"):
        deleted = ElementTree.fromstring(served.body).iter()
        keys = [element.text or "" for element in deleted if element.tag.endswith("Key")]
        return [ObjectChange(bucket, deleted_key, S3_EVENTS["removed"]) for deleted_key in keys]
    return []


def _has_credentials() -> bool:
    """Whether boto3 would find credentials of the machine's own without asking a metadata service."""
    if any(os.environ.get(variable) for variable in CREDENTIAL_SOURCES):
        return True
    home = Path.home() / ".aws"
    files = (os.environ.get("AWS_SHARED_CREDENTIALS_FILE"), os.environ.get("AWS_CONFIG_FILE"))
    return (
        any(Path(f).exists() for f in files if f)
        or (home / "credentials").exists()
        or (home / "config").exists()
    )
