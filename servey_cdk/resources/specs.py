"""The resources' AppSpec entries, and each action's uses of them, with every problem at once."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from servey_cdk.appspec import (
    BucketSpec,
    IdempotencySpec,
    IndexSpec,
    KeySpec,
    ParameterSpec,
    SecretSpec,
    TableSpec,
    UseSpec,
)
from servey_cdk.resources.declared import ACCESSES, Bucket, Index, Key, Parameter, Resource, Secret, Table
from servey_cdk.resources.uses import Use, merged
from servey_cdk.triggers.s3 import S3Trigger
from servey_cdk.triggers.stream import IMAGES_OF_VIEW, TableStreamTrigger
from servey_cdk.wire import environment_name

if TYPE_CHECKING:
    from servey_cdk.action import Action

KINDS = {Table: "table", Bucket: "bucket", Secret: "secret", Parameter: "parameter"}
# What AWS allows in each kind's name; the constructs build the deployed names from these.
NAME_PATTERNS = {
    "table": r"[A-Za-z0-9_.-]{3,200}",
    "bucket": r"[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]",  # room for the stack's prefix within S3's 63
    "secret": r"[A-Za-z0-9/_+=.@-]{1,400}",
    "parameter": r"[A-Za-z0-9/_.-]{1,1000}",
}
PROJECTIONS = ("all", "keys_only")


@dataclass(frozen=True)
class ResourceSpecs:
    tables: tuple[TableSpec, ...]
    buckets: tuple[BucketSpec, ...]
    secrets: tuple[SecretSpec, ...]
    parameters: tuple[ParameterSpec, ...]
    uses: dict[str, tuple[UseSpec, ...]]  # by action
    idempotency: dict[str, IdempotencySpec]  # by action


def resource_specs(
    declared: Iterable[Resource], actions: tuple[Action, ...], problems: list[str]
) -> ResourceSpecs:
    """Every resource the app declares or its actions name, and what each action uses of them.

    A bucket an `S3Trigger` names by a string no `Bucket` declares is a bucket of the app's own."""
    found = _collect(declared, actions, problems)
    trigger_buckets = [t.bucket for action in actions for t in action.triggers_of(S3Trigger)]
    for name in trigger_buckets:
        if isinstance(name, str) and not any(r.name == name for r in found if isinstance(r, Bucket)):
            found.append(Bucket(name))
    problems += _name_problems(found)
    uses = {action.name: tuple(_uses_of(action, problems)) for action in actions}
    return ResourceSpecs(
        tables=tuple(_table_spec(r, problems) for r in found if isinstance(r, Table)),
        buckets=tuple(BucketSpec(r.name, r.existing) for r in found if isinstance(r, Bucket)),
        secrets=tuple(SecretSpec(r.name, r.existing, r.description) for r in found if isinstance(r, Secret)),
        parameters=tuple(_parameter_spec(r, problems) for r in found if isinstance(r, Parameter)),
        uses=uses,
        idempotency={
            action.name: _idempotency_spec(action, problems)
            for action in actions
            if action.idempotency is not None
        },
    )


def function_uses(uses: Iterable[UseSpec]) -> tuple[UseSpec, ...]:
    """The uses of several actions as one function's: one use a resource, its accesses merged."""
    accesses: dict[tuple[str, str], set[str]] = {}
    for use in uses:
        accesses.setdefault((use.kind, use.resource), set()).add(use.access)
    return tuple(UseSpec(kind, name, merged(found)) for (kind, name), found in accesses.items())


def _collect(
    declared: Iterable[Resource], actions: tuple[Action, ...], problems: list[str]
) -> list[Resource]:
    """Each resource once, in the order first met; two objects of one kind and name are a problem."""
    seen: dict[tuple[str, str], Resource] = {}
    for resource in (*declared, *_named_by(actions)):
        key = (resource.kind, resource.name)
        other = seen.setdefault(key, resource)
        if other is not resource:
            problems.append(
                f"{resource.kind} {resource.name!r} is declared twice: declare it once, import it"
            )
    return list(seen.values())


def _named_by(actions: tuple[Action, ...]) -> Iterator[Resource]:
    for action in actions:
        yield from (use.resource for use in action.uses if isinstance(use, Use))
        yield from (t.bucket for t in action.triggers_of(S3Trigger) if isinstance(t.bucket, Bucket))
        yield from (t.table for t in action.triggers_of(TableStreamTrigger))
        if action.idempotency is not None:
            yield action.idempotency.table


def _name_problems(resources: list[Resource]) -> list[str]:
    problems = []
    by_environment: dict[tuple[str, str], str] = {}
    for resource in resources:
        if resource.existing is None and not re.fullmatch(NAME_PATTERNS[resource.kind], resource.name):
            pattern = NAME_PATTERNS[resource.kind]
            problems.append(f"{resource.kind} {resource.name!r}: the name must match {pattern}")
        variable = (resource.kind, environment_name("", resource.name))
        other = by_environment.setdefault(variable, resource.name)
        if other != resource.name:
            problems.append(
                f"{resource.kind}s {other!r} and {resource.name!r} differ only in '-', '_' or case"
            )
    return problems


def _uses_of(action: Action, problems: list[str]) -> Iterator[UseSpec]:
    where = f"action {action.name!r}"
    accesses: dict[tuple[str, str], set[str]] = {}
    for use in action.uses:
        if not isinstance(use, Use):
            problems.append(
                f"{where}: uses= takes what a resource's read() or read_write() gives, not {use!r}"
            )
            continue
        kind = use.resource.kind
        if use.access not in ACCESSES[kind]:
            allowed = ", ".join(ACCESSES[kind])
            problems.append(f"{where}: a {kind} is used for {allowed}, not {use.access!r}")
            continue
        accesses.setdefault((kind, use.resource.name), set()).add(use.access)
    if action.idempotency is not None:
        accesses.setdefault(("table", action.idempotency.table.name), set()).add("read_write")
    for (used, name), found in accesses.items():
        yield UseSpec(used, name, merged(found))


def _key(key: Key | str, where: str, problems: list[str]) -> KeySpec:
    spec = KeySpec(key, "S") if isinstance(key, str) else KeySpec(key.name, key.type)
    if spec.type not in ("S", "N", "B"):
        problems.append(f"{where}: key {spec.name!r} has type {spec.type!r}, not one of S, N, B")
    return spec


def _table_spec(table: Table, problems: list[str]) -> TableSpec:
    where = f"table {table.name!r}"
    partition = _key(table.partition_key, where, problems)
    sort = None if table.sort_key is None else _key(table.sort_key, where, problems)
    if table.stream is not None and table.stream not in IMAGES_OF_VIEW:
        problems.append(f"{where}: stream is one of {', '.join(IMAGES_OF_VIEW)}, not {table.stream!r}")
    names = [index.name for index in table.indexes]
    problems += [
        f"{where}: index {name!r} is declared twice" for name in sorted(set(names)) if names.count(name) > 1
    ]
    keys = [key.name for key in (partition, sort) if key is not None]
    for number, item in enumerate(table.seed):
        absent = [name for name in keys if name not in item]
        if absent:
            problems.append(f"{where}: seed item {number} has no {', '.join(absent)}")
    return TableSpec(
        name=table.name,
        partition_key=partition,
        sort_key=sort,
        indexes=tuple(_index_spec(index, where, problems) for index in table.indexes),
        ttl_attribute=table.ttl_attribute,
        stream=table.stream,
        existing=table.existing,
        seed=tuple(
            _seed_item(item, f"{where} seed item {number}", problems)
            for number, item in enumerate(table.seed)
        ),
    )


def _seed_item(item: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    try:
        return {str(name): attribute_value(value) for name, value in item.items()}
    except TypeError as error:
        problems.append(f"{where}: {error}")
        return {}


def _index_spec(index: Index, where: str, problems: list[str]) -> IndexSpec:
    where = f"{where} index {index.name!r}"
    partition = _key(index.partition_key, where, problems)
    sort = None if index.sort_key is None else _key(index.sort_key, where, problems)
    if isinstance(index.projection, tuple):
        return IndexSpec(index.name, partition, sort, "include", index.projection)
    if index.projection not in PROJECTIONS:
        problems.append(f"{where}: projection is 'all', 'keys_only' or a tuple of attributes")
    return IndexSpec(index.name, partition, sort, index.projection)


def _parameter_spec(parameter: Parameter, problems: list[str]) -> ParameterSpec:
    if parameter.existing is None and parameter.initial is None:
        problems.append(f"parameter {parameter.name!r}: give it an initial value, or adopt an existing one")
    return ParameterSpec(parameter.name, parameter.initial, parameter.existing)


def _idempotency_spec(action: Action, problems: list[str]) -> IdempotencySpec:
    from servey_cdk.signature import signature_of

    setting = action.idempotency
    assert setting is not None
    where = f"action {action.name!r} idempotency"
    table = setting.table
    partition = table.partition_key if isinstance(table.partition_key, Key) else Key(table.partition_key)
    if partition.type != "S" or table.sort_key is not None:
        problems.append(f"{where}: table {table.name!r} needs a string partition key and no sort key")
    if setting.expires_after_s < 1:
        problems.append(f"{where}: expires_after_s must be 1 or more")
    try:
        names = {parameter.name for parameter in signature_of(action).inputs}
    except TypeError:
        names = set(setting.key)  # reported with the action's own checks
    unknown = [name for name in setting.key if name not in names]
    if unknown:
        problems.append(f"{where}: key names {', '.join(unknown)}, which the action does not take")
    return IdempotencySpec(table.name, setting.expires_after_s, setting.key)


def attribute_value(value: Any) -> dict[str, Any]:
    """A value in DynamoDB's JSON (`{"N": "4.20"}`), as a seed item is carried: exact for numbers."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value)}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {"M": {str(key): attribute_value(item) for key, item in value.items()}}
    if isinstance(value, set | frozenset) and value and all(isinstance(item, str) for item in value):
        return {"SS": sorted(value)}
    if (
        isinstance(value, set | frozenset)
        and value
        and all(isinstance(item, int | Decimal) for item in value)
    ):
        return {"NS": sorted(str(item) for item in value)}
    if isinstance(value, list | tuple):
        return {"L": [attribute_value(item) for item in value]}
    raise TypeError(f"{type(value).__name__} is not a DynamoDB value")
