"""AppSpec: the pure, frozen, JSON-serialisable description of a deployment.

It is built once from the discovered app (`servey_cdk.appspec_builder`) and is the
only input of the CDK constructs, the local emulator and the schema writers. The
code asset carries it as JSON, and the Lambda runtime routes from it: this module
and the records it holds import the standard library only.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servey_cdk.graphql_limits import GraphQLLimits
from servey_cdk.records import from_jsonable
from servey_cdk.types import HttpMethod, RouteKind, S3EventKind
from servey_cdk.wire import AUTHORIZER, ROUTER, WEBSOCKET

REST_API, HTTP_API = "rest", "http"
API_FLAVOURS = (REST_API, HTTP_API)

__all__ = [
    "API_FLAVOURS",
    "AUTHORIZER",
    "HTTP_API",
    "REST_API",
    "ROUTER",
    "WEBSOCKET",
    "ActionSpec",
    "AppSpec",
    "AuthSpec",
    "BucketSpec",
    "EventTriggerSpec",
    "ExampleSpec",
    "FunctionSpec",
    "GraphQLSpec",
    "IdempotencySpec",
    "IndexSpec",
    "KeySpec",
    "ParameterSpec",
    "QueueSpec",
    "ResolverSpec",
    "RouteSpec",
    "S3TriggerSpec",
    "ScheduleSpec",
    "SecretSpec",
    "SnsTriggerSpec",
    "StaticSpec",
    "StreamTriggerSpec",
    "SubscriptionSpec",
    "TableSpec",
    "UseSpec",
]


@dataclass(frozen=True)
class ExampleSpec:
    name: str
    params: dict[str, Any]
    result: Any
    description: str | None
    include_in_schema: bool
    include_in_tests: bool = True
    scopes: tuple[str, ...] | None = None  # the caller's, when the example names its caller


@dataclass(frozen=True)
class UseSpec:
    """An action's (or a function's) use of a declared resource: its kind, name and access."""

    kind: str  # "table", "bucket", "secret" or "parameter"
    resource: str
    access: str  # "read", "write" or "read_write"


@dataclass(frozen=True)
class IdempotencySpec:
    """An idempotent action's record of each request it ran, kept in `table` for `expires_after_s`.
    `key`: the parameters that tell one request from another (all, when empty)."""

    table: str
    expires_after_s: int
    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionSpec:
    name: str
    function: str
    description: str | None
    params_schema: dict[str, Any]
    result_schema: dict[str, Any]
    requires_token: bool
    cache_control: str
    timeout: int
    memory: int
    owner: str | None = None
    batch_size: int | None = None
    batch: bool = False  # a batch function: one call for up to `batch_size` parents
    examples: tuple[ExampleSpec, ...] = ()
    issues_tokens: bool = False  # the action signs tokens: its function may use the signing key
    publishes: tuple[str, ...] = ()  # the subscriptions it publishes to
    puts_events: tuple[str, ...] = ()  # the buses it puts events to: "default", the app's own, ARNs
    uses: tuple[UseSpec, ...] = ()  # the resources it declares in `uses=`, and its idempotency table
    idempotency: IdempotencySpec | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function and the actions it serves: one action's, the router's, or none
    (AppSync's authorizer and the websocket function)."""

    name: str
    actions: tuple[str, ...]
    timeout: int
    memory: int
    environment: dict[str, str]
    uses: tuple[UseSpec, ...] = ()  # its actions' uses, one a resource: exactly what it is granted


@dataclass(frozen=True)
class RouteSpec:
    """One HTTP route: an API Gateway method on a resource, served by `function`."""

    method: HttpMethod
    path: str
    action: str
    function: str
    kind: RouteKind
    path_params: tuple[str, ...]
    requires_token: bool
    template: str | None = None
    status: int = 200  # of a plain result; a `Response` the action returns sets its own

    @property
    def key(self) -> str:
        """HTTP API's route key, `GET /items/{item_id}`."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ResolverSpec:
    type_name: str
    field_name: str
    action: str
    function: str
    batch_size: int | None


@dataclass(frozen=True)
class GraphQLSpec:
    sdl: str
    resolvers: tuple[ResolverSpec, ...]
    limits: GraphQLLimits = field(default_factory=GraphQLLimits)
    field_names: str = "snake_case"  # or "camelCase": `servey_cdk.graphql_names` renames on the way


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    action: str
    function: str
    expression: str
    timezone: str | None
    immediately: bool = False  # servey-local also runs it once at its start


@dataclass(frozen=True)
class QueueSpec:
    name: str
    subscription: str
    action: str
    function: str
    delay_seconds: int
    max_receive_count: int
    batch_size: int
    visibility_timeout: int
    filter_policy: dict[str, Any] = field(default_factory=dict)  # on a fan-out's message attributes
    fifo: bool = False  # a FIFO queue: the subscription's events in the order they were published


@dataclass(frozen=True)
class SubscriptionSpec:
    name: str
    is_subscribable: bool
    requires_token: bool
    event_schema: dict[str, Any]
    publishers: tuple[str, ...]
    queues: tuple[str, ...]
    fan_out: str | None = None  # "sns": one message to the subscription's topic, which feeds the queues


@dataclass(frozen=True)
class S3TriggerSpec:
    action: str
    function: str
    bucket: str
    events: tuple[S3EventKind, ...]
    prefix: str | None
    suffix: str | None


@dataclass(frozen=True)
class SnsTriggerSpec:
    """`topic`: the topic's name (the app's own, unless `topic_arn` names an existing one)."""

    action: str
    function: str
    topic: str
    topic_arn: str | None
    filter_policy: dict[str, Any]


@dataclass(frozen=True)
class EventTriggerSpec:
    """One EventBridge rule: `pattern` on the default bus, the app's bus `bus`, or the existing `bus_arn`.

    The action receives the event's `detail` as `parameter`, or the whole event when `whole_event`."""

    name: str
    action: str
    function: str
    pattern: dict[str, Any]
    bus: str | None
    bus_arn: str | None
    parameter: str
    whole_event: bool


@dataclass(frozen=True)
class StreamTriggerSpec:
    """A table stream's records, in batches, to an action (one call a record), as Lambda's event
    source mapping reads them: a failed record and the rest of its batch are retried up to
    `retry_attempts` times, then sent to the trigger's dead-letter queue."""

    name: str
    action: str
    function: str
    table: str
    batch_size: int
    starting_position: str  # "latest" or "trim_horizon"
    retry_attempts: int
    max_record_age_s: int


@dataclass(frozen=True)
class KeySpec:
    name: str
    type: str  # "S", "N" or "B"


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index; `projection` "all", "keys_only" or "include" (`attributes`)."""

    name: str
    partition_key: KeySpec
    sort_key: KeySpec | None
    projection: str
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """`existing`: a table adopted by name or ARN. `seed`: items, in DynamoDB's JSON, put into the
    table where servey-local or the rehearsal first makes it."""

    name: str
    partition_key: KeySpec
    sort_key: KeySpec | None = None
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    stream: str | None = None  # the stream's view, when it has one
    existing: str | None = None
    seed: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class BucketSpec:
    name: str
    existing: str | None = None


@dataclass(frozen=True)
class SecretSpec:
    name: str
    existing: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    initial: str | None = None
    existing: str | None = None


@dataclass(frozen=True)
class StaticSpec:
    """`spa_fallback`: the file in static/ shown for paths of the site nothing else serves."""

    directory: str
    files: tuple[str, ...]
    spa_fallback: str | None = None


@dataclass(frozen=True)
class AuthSpec:
    """`token_required` is true when some action or subscription needs a token."""

    token_required: bool
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class AppSpec:
    app_module: str
    root: str
    router_for_all: bool
    actions: tuple[ActionSpec, ...]
    functions: tuple[FunctionSpec, ...]
    routes: tuple[RouteSpec, ...]
    graphql: GraphQLSpec | None
    schedules: tuple[ScheduleSpec, ...]
    queues: tuple[QueueSpec, ...]
    subscriptions: tuple[SubscriptionSpec, ...]
    s3_triggers: tuple[S3TriggerSpec, ...]
    static: StaticSpec | None
    auth: AuthSpec
    schemas: dict[str, Any] = field(default_factory=dict)
    event_triggers: tuple[EventTriggerSpec, ...] = ()
    sns_triggers: tuple[SnsTriggerSpec, ...] = ()
    # Which API Gateway serves `routes`: "rest" (REST API, payload 1.0) or "http" (HTTP API, payload
    # 2.0). The constructs build it and servey-local emulates it, so both read it here.
    api: str = REST_API
    stream_triggers: tuple[StreamTriggerSpec, ...] = ()
    # Resources declared in the app's modules (and the buckets its S3Triggers name, and the table
    # idempotent actions keep their records in), with the uses of each in its actions' specs.
    tables: tuple[TableSpec, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    secrets: tuple[SecretSpec, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()

    def action(self, name: str) -> ActionSpec:
        return next(spec for spec in self.actions if spec.name == name)

    def function(self, name: str) -> FunctionSpec:
        """The function named; `KeyError` names what the spec has instead."""
        for spec in self.functions:
            if spec.name == name:
                return spec
        known = ", ".join(spec.name for spec in self.functions)
        raise KeyError(f"the app has no function {name!r} (it has {known})")

    @property
    def pages(self) -> tuple[RouteSpec, ...]:
        return tuple(route for route in self.routes if route.kind == "page")

    def routes_by_path(self) -> dict[str, dict[str, RouteSpec]]:
        """Each route path (one API Gateway resource) with its routes by method, in the spec's order."""
        grouped: dict[str, dict[str, RouteSpec]] = {}
        for route in self.routes:
            grouped.setdefault(route.path, {})[route.method] = route
        return grouped

    @property
    def websocket_enabled(self) -> bool:
        return any(spec.is_subscribable for spec in self.subscriptions)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, default=str)

    def shipped(self) -> AppSpec:
        """The spec as a code asset carries it: no path of the machine that built it (which would
        leak into the asset and change its hash from one machine to the next). `root` is "." and
        the static directory is relative to it."""
        static = self.static
        if static is not None:
            relative = Path(static.directory).relative_to(self.root).as_posix()
            static = dataclasses.replace(static, directory=relative)
        return dataclasses.replace(self, root=".", static=static)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSpec:
        """The spec `to_dict` gave, e.g. the one a code asset carries."""
        return from_jsonable(cls, data)

    @classmethod
    def read(cls, path: Path) -> AppSpec:
        """The spec a file holds, as `to_json` wrote it."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
