"""AppSpec: the pure, frozen, JSON-serialisable description of a deployment.

It is built once from the discovered app and is the only input of the CDK constructs,
the local emulator and the schema writers. Building it validates everything AWS
would refuse, and reports every problem at once, each naming its action.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any

from servey_cdk.action import Action
from servey_cdk.authenticator import issues_tokens
from servey_cdk.discovery import Registry, discover, duplicate_names
from servey_cdk.errors import AppDefinitionError
from servey_cdk.graphql_limits import GraphQLLimits
from servey_cdk.graphql_schema import Resolver, build_graphql_schema
from servey_cdk.json_schema import SchemaSet, build_schemas
from servey_cdk.pages import Redirect
from servey_cdk.records import from_jsonable
from servey_cdk.routes import Route, routes_of
from servey_cdk.schedule import ScheduleError, schedule_expression
from servey_cdk.signature import signature_of
from servey_cdk.site import SPA_FALLBACK_VARIABLE, spa_fallback_setting
from servey_cdk.triggers import S3Trigger, ScheduleTrigger, SubscriptionTrigger

ROUTER = "router"
# The functions the constructs add beside the actions' own: AppSync's authorizer and the websocket routes.
AUTHORIZER = "graphql-authorizer"
WEBSOCKET = "websocket"
LAMBDA_MEMORY_MB = (128, 10240)
LAMBDA_TIMEOUT_S = (1, 900)
SQS_MAX_DELAY_S = 900


@dataclass(frozen=True)
class ExampleSpec:
    name: str
    params: dict[str, Any]
    result: Any
    description: str | None
    include_in_schema: bool
    include_in_tests: bool = True


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
    examples: tuple[ExampleSpec, ...] = ()
    issues_tokens: bool = False  # the action signs tokens: its function may use the signing key
    publishes: tuple[str, ...] = ()  # the subscriptions it publishes to


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function; `action` is None for the router that serves several."""

    name: str
    actions: tuple[str, ...]
    timeout: int
    memory: int
    environment: dict[str, str]


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    action: str
    function: str
    kind: str
    path_params: tuple[str, ...]
    requires_token: bool
    template: str | None = None


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


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    action: str
    function: str
    expression: str
    timezone: str | None


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


@dataclass(frozen=True)
class SubscriptionSpec:
    name: str
    is_subscribable: bool
    requires_token: bool
    event_schema: dict[str, Any]
    publishers: tuple[str, ...]
    queues: tuple[str, ...]


@dataclass(frozen=True)
class S3TriggerSpec:
    action: str
    function: str
    bucket: str
    events: tuple[str, ...]
    prefix: str | None
    suffix: str | None


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

    def action(self, name: str) -> ActionSpec:
        return next(spec for spec in self.actions if spec.name == name)

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSpec:
        """The spec `to_dict` gave, e.g. the one a code asset carries."""
        return from_jsonable(cls, data)


def router_for_all_default() -> bool:
    return os.environ.get("SERVEY_AWS_ROUTER_FOR_ALL", "") in ("1", "true", "yes")


def load_spec(app_module: str | None = None, router_for_all: bool | None = None) -> AppSpec:
    """Discover the app and build its spec."""
    return build_spec(discover(app_module), router_for_all)


def build_spec(registry: Registry, router_for_all: bool | None = None) -> AppSpec:
    if router_for_all is None:
        router_for_all = router_for_all_default()
    problems: list[str] = []
    _check_actions(registry, problems)
    _check_publishes(registry, problems)
    function_of = _assign_functions(registry, router_for_all)
    functions = _functions(registry, function_of)
    routes, route_problems = routes_of(registry)
    problems += route_problems
    schemas = build_schemas(registry, problems)
    graphql, graphql_problems = build_graphql_schema(registry)
    problems += graphql_problems
    problems += _missing_templates(registry, routes)
    queues = _queues(registry, function_of, problems)
    spec = AppSpec(
        app_module=registry.module,
        root=str(registry.root),
        router_for_all=router_for_all,
        actions=tuple(_action_spec(action, function_of, registry, schemas) for action in registry.actions),
        functions=functions,
        routes=tuple(_route_spec(route, function_of, registry) for route in routes),
        graphql=None
        if graphql is None
        else GraphQLSpec(graphql.sdl, tuple(_resolver_spec(r, function_of) for r in graphql.resolvers)),
        schedules=_schedules(registry, function_of, problems),
        queues=queues,
        subscriptions=_subscriptions(registry, function_of, queues, schemas),
        s3_triggers=_s3_triggers(registry, function_of),
        static=_static(registry, problems),
        auth=auth_of(registry),
        schemas=schemas.components,
    )
    if problems:
        raise AppDefinitionError(problems)
    return spec


def _check_actions(registry: Registry, problems: list[str]) -> None:
    problems += duplicate_names(registry.actions)
    for action in registry.actions:
        where = f"action {action.name!r}"
        if not LAMBDA_TIMEOUT_S[0] <= action.timeout <= LAMBDA_TIMEOUT_S[1]:
            problems.append(f"{where}: timeout {action.timeout}s is outside Lambda's 1-900 seconds")
        if not LAMBDA_MEMORY_MB[0] <= action.memory <= LAMBDA_MEMORY_MB[1]:
            problems.append(f"{where}: memory {action.memory} MB is outside Lambda's 128-10240 MB")
        try:
            signature_of(action)
        except TypeError as error:
            problems.append(str(error))


def _assign_functions(registry: Registry, router_for_all: bool) -> dict[str, str]:
    """One function per action, except generated actions (and all, when asked): the router."""
    return {
        action.name: ROUTER if router_for_all or action.is_generated else action.name
        for action in registry.actions
    }


def _functions(registry: Registry, function_of: dict[str, str]) -> tuple[FunctionSpec, ...]:
    grouped: dict[str, list[Action]] = {}
    for action in registry.actions:
        grouped.setdefault(function_of[action.name], []).append(action)
    functions = []
    for name, actions in grouped.items():
        environment = {"SERVEY_ACTION_PATH": registry.module}
        if name != ROUTER:
            environment["SERVEY_ACTION"] = name
        functions.append(
            FunctionSpec(
                name=name,
                actions=tuple(action.name for action in actions),
                timeout=max(action.timeout for action in actions),
                memory=max(action.memory for action in actions),
                environment=environment,
            )
        )
    return tuple(functions)


def _action_spec(
    action: Action, function_of: dict[str, str], registry: Registry, schemas: SchemaSet
) -> ActionSpec:
    params_schema, result_schema = schemas.actions.get(action.name, ({}, {}))
    owner = registry.owners.get(action.name)
    return ActionSpec(
        name=action.name,
        function=function_of[action.name],
        description=action.description,
        params_schema=params_schema,
        result_schema=result_schema,
        requires_token=action.access_control.requires_token,
        cache_control=action.cache_control.cache_header(),
        timeout=action.timeout,
        memory=action.memory,
        owner=owner.__name__ if owner else None,
        batch_size=action.batch_size,
        issues_tokens=issues_tokens(action),
        publishes=tuple(item.name for item in action.publishes),
        examples=tuple(
            ExampleSpec(
                example.name,
                schemas.example_params(example.params),
                schemas.example_result(action.name, example.result),
                example.description,
                example.include_in_schema,
                example.include_in_tests,
            )
            for example in action.examples
        ),
    )


def _route_spec(route: Route, function_of: dict[str, str], registry: Registry) -> RouteSpec:
    action = registry.action(route.action)
    return RouteSpec(
        method=route.method,
        path=route.path,
        action=route.action,
        function=function_of[route.action],
        kind=route.kind,
        path_params=route.path_params,
        requires_token=action.access_control.requires_token,
        template=route.template,
    )


def _resolver_spec(resolver: Resolver, function_of: dict[str, str]) -> ResolverSpec:
    return ResolverSpec(
        resolver.type_name,
        resolver.field_name,
        resolver.action,
        function_of[resolver.action],
        resolver.batch_size,
    )


def _missing_templates(registry: Registry, routes: list[Route]) -> list[str]:
    """A page's template must exist, unless all its action can return is a redirect."""
    return [
        f"action {route.action!r}: template {route.template!r} was not found in {registry.root}"
        for route in routes
        if route.template is not None
        and not (registry.root / route.template).is_file()
        and signature_of(registry.action(route.action)).returns is not Redirect
    ]


def _schedules(
    registry: Registry, function_of: dict[str, str], problems: list[str]
) -> tuple[ScheduleSpec, ...]:
    schedules = []
    for action in registry.actions:
        triggers = [t for t in action.triggers if isinstance(t, ScheduleTrigger)]
        for index, trigger in enumerate(triggers):
            try:
                expression = schedule_expression(trigger)
            except ScheduleError as error:
                problems.append(f"action {action.name!r} schedule: {error}")
                continue
            if any(parameter.required for parameter in signature_of(action).inputs):
                problems.append(
                    f"action {action.name!r} schedule: a scheduled action takes no required parameters"
                )
            suffix = f"-{index + 1}" if len(triggers) > 1 else ""
            schedules.append(
                ScheduleSpec(
                    name=f"{action.name}{suffix}",
                    action=action.name,
                    function=function_of[action.name],
                    expression=expression,
                    timezone=trigger.timezone,
                )
            )
    return tuple(schedules)


def _check_publishes(registry: Registry, problems: list[str]) -> None:
    known = {id(item) for item in registry.subscriptions}
    problems += [
        f"action {action.name!r} publishes to {item.name!r}: no such subscription in the app's modules"
        for action in registry.actions
        for item in action.publishes
        if id(item) not in known
    ]


def _queues(registry: Registry, function_of: dict[str, str], problems: list[str]) -> tuple[QueueSpec, ...]:
    known = {id(item) for item in registry.subscriptions}
    queues = []
    for action in registry.actions:
        for trigger in action.triggers:
            if not isinstance(trigger, SubscriptionTrigger):
                continue
            where = f"action {action.name!r} subscription {trigger.subscription.name!r}"
            if id(trigger.subscription) not in known:
                problems.append(f"{where}: the subscription was not found in the app's modules")
            required = [p for p in signature_of(action).inputs if p.required]
            if len(required) != 1:
                problems.append(f"{where}: a linked action takes the event as its one required parameter")
            delay = int(trigger.delay.total_seconds())
            if not 0 <= delay <= SQS_MAX_DELAY_S:
                problems.append(f"{where}: delay {delay}s is outside SQS's 0-900 seconds")
            if not 1 <= trigger.batch_size <= 10:
                problems.append(f"{where}: batch_size must be 1-10")
            queues.append(
                QueueSpec(
                    name=f"{trigger.subscription.name}-{action.name}",
                    subscription=trigger.subscription.name,
                    action=action.name,
                    function=function_of[action.name],
                    delay_seconds=delay,
                    max_receive_count=trigger.max_receive_count,
                    batch_size=trigger.batch_size,
                    visibility_timeout=max(30, 6 * action.timeout),
                )
            )
    return tuple(queues)


def _subscriptions(
    registry: Registry,
    function_of: dict[str, str],
    queues: tuple[QueueSpec, ...],
    schemas: SchemaSet,
) -> tuple[SubscriptionSpec, ...]:
    publishers = _publishers(registry, function_of)
    return tuple(
        SubscriptionSpec(
            name=item.name,
            is_subscribable=item.is_subscribable,
            requires_token=item.access_control.requires_token,
            event_schema=schemas.events.get(item.name, {}),
            publishers=tuple(sorted(publishers.get(item.name, ()))),
            queues=tuple(queue.name for queue in queues if queue.subscription == item.name),
        )
        for item in registry.subscriptions
    )


def _publishers(registry: Registry, function_of: dict[str, str]) -> dict[str, set[str]]:
    """The functions of the actions that declare `publishes=`: they need permission to publish."""
    found: dict[str, set[str]] = {}
    for action in registry.actions:
        for item in action.publishes:
            found.setdefault(item.name, set()).add(function_of[action.name])
    return found


def _s3_triggers(registry: Registry, function_of: dict[str, str]) -> tuple[S3TriggerSpec, ...]:
    return tuple(
        S3TriggerSpec(action.name, function_of[action.name], t.bucket, t.events, t.prefix, t.suffix)
        for action in registry.actions
        for t in action.triggers
        if isinstance(t, S3Trigger)
    )


def _static(registry: Registry, problems: list[str]) -> StaticSpec | None:
    directory = registry.root / "static"
    fallback = spa_fallback_setting()
    if not directory.is_dir():
        if fallback is not None:
            problems.append(f"{SPA_FALLBACK_VARIABLE}={fallback!r}: the app has no static/ directory")
        return None
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    if fallback is not None and fallback not in files:
        problems.append(f"{SPA_FALLBACK_VARIABLE}={fallback!r}: no such file in {directory}")
    return StaticSpec(str(directory), tuple(files), fallback)


def auth_of(registry: Registry) -> AuthSpec:
    """Whether any action or subscription needs a token, and every scope their access controls name."""
    controls = [action.access_control for action in registry.actions]
    controls += [item.access_control for item in registry.subscriptions]
    scopes = sorted({scope for control in controls if (scope := getattr(control, "execute_scope", None))})
    return AuthSpec(any(control.requires_token for control in controls), tuple(scopes))
