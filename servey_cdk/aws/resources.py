"""The clients of declared resources inside a function: made on first use, kept per process.

A resource's deployed name comes from the function's environment, where the constructs put
it for the functions whose actions use it (`servey_cdk.wire.RESOURCE_PREFIXES`). A function
that was not granted a resource has no such name: the error says which `uses=` is missing.
boto3 is imported on the first use, so an action that uses nothing pays nothing at cold start.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from servey_cdk.redaction import keep_out_of_logs
from servey_cdk.wire import RESOURCE_PREFIXES, environment_name

if TYPE_CHECKING:
    from servey_cdk.resources.declared import Bucket, Parameter, Resource, Secret, Table

# boto3 ships no types of its own; these say what each one is.
BotoTable = Any
BotoBucket = Any
DynamoDBClient = Any
S3Client = Any

_LOCK = threading.RLock()  # actions may run in threads; each client and value is made once
_CLIENTS: dict[str, Any] = {}
_HANDLES: dict[tuple[str, str], Any] = {}
_VALUES: dict[tuple[str, str], str] = {}
NameLookup = Callable[[str], "str | None"]
_names: NameLookup = os.environ.get  # a variable's value; locally, the running function's grants


class ResourceNotGranted(RuntimeError):
    """The function was given no name for a resource: no action of it declares the resource's use.
    A fault of the app, not of the caller: answered as an internal error, and logged in full."""


def deployed_name(resource: Resource) -> str:
    """The resource's name (a secret's ARN) as the function's environment gives it."""
    variable = environment_name(RESOURCE_PREFIXES[resource.kind], resource.name)
    name = _names(variable)
    if not name:
        uses = "read()" if resource.kind in ("secret", "parameter") else "read(), write() or read_write()"
        raise ResourceNotGranted(
            f"{resource.kind} {resource.name!r} is not granted to this function ({variable} is not set): "
            f"declare its use in the action's @action(uses=…) with {resource.name}'s {uses}"
        )
    return name


def client_of(service: str) -> Any:
    """boto3's client of an AWS service, one per process (clients are thread-safe)."""
    client = _CLIENTS.get(service)
    if client is None:
        with _LOCK:
            client = _CLIENTS.get(service)
            if client is None:
                import boto3  # type: ignore[import-untyped]  # imported on first use, not at cold start

                client = _CLIENTS[service] = boto3.session.Session().client(service)
    return client


def table_of(table: Table) -> BotoTable:
    """boto3's `Table` of a declared table."""
    return _handle(table, lambda name: _resource("dynamodb").Table(name))


def bucket_of(bucket: Bucket) -> BotoBucket:
    """boto3's `Bucket` of a declared bucket."""
    return _handle(bucket, lambda name: _resource("s3").Bucket(name))


def secret_value(secret: Secret) -> str:
    """The secret's string value, read from Secrets Manager once per process, kept out of logs."""

    def read(name: str) -> str:
        answer = client_of("secretsmanager").get_secret_value(SecretId=name)
        value = str(answer["SecretString"])
        keep_out_of_logs(value)
        return value

    return _value(secret, read)


def parameter_value(parameter: Parameter) -> str:
    """The parameter's value, read from SSM once per process."""

    def read(name: str) -> str:
        answer = client_of("ssm").get_parameter(Name=name)
        return str(answer["Parameter"]["Value"])

    return _value(parameter, read)


def look_up_names_with(lookup: NameLookup) -> NameLookup:
    """Resource names read through `lookup` instead of the environment (servey-local's local AWS,
    which gives each function the names of what it is granted); the lookup it replaces."""
    global _names
    previous, _names = _names, lookup
    forget()
    return previous


def forget() -> None:
    """Drop every client, handle and value kept: the next use makes them again (for a new endpoint)."""
    with _LOCK:
        _CLIENTS.clear()
        _HANDLES.clear()
        _VALUES.clear()


def _resource(service: str) -> Any:
    key = f"resource:{service}"
    found = _CLIENTS.get(key)
    if found is None:
        import boto3

        found = _CLIENTS.setdefault(key, boto3.session.Session().resource(service))
    return found


def _handle(resource: Resource, make: Callable[[str], Any]) -> Any:
    return _kept(_HANDLES, resource, make)


def _value(resource: Resource, read: Callable[[str], str]) -> str:
    return str(_kept(_VALUES, resource, read))


def _kept(kept: dict[tuple[str, str], Any], resource: Resource, make: Callable[[str], Any]) -> Any:
    """What `make` made of the resource's name, once: kept by the name, which is looked up each
    time, so that a function not granted the resource is refused even when another one made it
    (servey-local runs every function in one process)."""
    name = deployed_name(resource)
    key = (resource.kind, name)
    found = kept.get(key)
    if found is None:
        with _LOCK:
            found = kept.get(key)
            if found is None:
                found = kept[key] = make(name)
    return found
