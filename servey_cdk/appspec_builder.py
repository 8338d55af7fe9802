"""Building the AppSpec from a discovered app: every check AWS would make, every problem at once.

The build is pure: what the environment could say (the router for all, the SPA
fallback) comes in as `BuildSettings`, which the commands read from the environment.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from servey_cdk.action import Action
from servey_cdk.appspec import (
    API_FLAVOURS,
    REST_API,
    ActionSpec,
    AppSpec,
    AuthSpec,
    ExampleSpec,
    FunctionSpec,
    GraphQLSpec,
    QueueSpec,
    ResolverSpec,
    RouteSpec,
    StaticSpec,
    SubscriptionSpec,
    UseSpec,
)
from servey_cdk.batch import batch_problems
from servey_cdk.discovery import Registry, discover, duplicate_names
from servey_cdk.errors import AppDefinitionError
from servey_cdk.graphql_schema import Resolver, build_graphql_schema
from servey_cdk.json_schema import SchemaSet, build_schemas
from servey_cdk.pages import Redirect
from servey_cdk.resources.specs import function_uses, resource_specs
from servey_cdk.signature import signature_of
from servey_cdk.site import INDEX
from servey_cdk.triggers import ENTRY_BUILDERS, entry_builder
from servey_cdk.triggers.queue import queue_specs
from servey_cdk.triggers.web import route_specs, timeout_of, timeout_problems
from servey_cdk.wire import (
    API_FLAVOUR,
    APP_MODULE,
    AUTHORIZER,
    FUNCTION,
    ROUTER,
    ROUTER_FOR_ALL,
    SPA_FALLBACK,
    WEBSOCKET,
)

LAMBDA_MEMORY_MB = (128, 10240)
LAMBDA_TIMEOUT_S = (1, 900)
# The functions beside the actions': AppSync's authorizer answers each request before any
# resolver runs, so it is kept short; the websocket function answers connects and frames.
AUTHORIZER_TIMEOUT_S, WEBSOCKET_TIMEOUT_S, ENTRY_MEMORY_MB = 10, 30, 256
_YES = ("1", "true", "yes")


@dataclass(frozen=True)
class BuildSettings:
    """`router_for_all`: one router function for every action. `spa_fallback`: the file of
    static/ shown for paths of the site nothing else serves. `api`: the API Gateway flavour of the
    routes, "rest" or "http"."""

    router_for_all: bool = False
    spa_fallback: str | None = None
    api: str = REST_API

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> BuildSettings:
        """`SERVEY_AWS_ROUTER_FOR_ALL` (1, true or yes), `SERVEY_SPA_FALLBACK`: unset or
        0/false for none, 1/true for index.html, or a file name in static/, and `SERVEY_API`:
        unset for "rest", or "http"."""
        fallback = environ.get(SPA_FALLBACK, "").strip()
        return cls(
            router_for_all=environ.get(ROUTER_FOR_ALL, "").lower() in _YES,
            spa_fallback=None
            if fallback.lower() in ("", "0", "false", "no")
            else INDEX
            if fallback.lower() in _YES
            else fallback.lstrip("/"),
            api=environ.get(API_FLAVOUR, "").strip().lower() or REST_API,
        )


def load_spec(
    app_module: str | None = None, settings: BuildSettings = BuildSettings(), app_root: Path | None = None
) -> AppSpec:
    """Discover the app (imported from `app_root`, else as `discover` finds it) and build its spec."""
    return build_spec(discover(app_module, app_root), settings)


def build_spec(registry: Registry, settings: BuildSettings = BuildSettings(), check: bool = True) -> AppSpec:
    """The app's spec; `AppDefinitionError` lists every problem, unless `check` is false, when what can
    be built is (for running an app in one process, where what AWS would refuse need not stop it)."""
    problems: list[str] = []
    if settings.api not in API_FLAVOURS:
        problems.append(f"{API_FLAVOUR}={settings.api!r}: the API is one of {', '.join(API_FLAVOURS)}")
    _check_actions(registry, problems)
    actions = tuple(registry.actions)
    function_of = _assign_functions(registry, settings.router_for_all)
    resources = resource_specs(registry.resources, actions, problems)
    routes = route_specs(actions, function_of, problems)
    schemas = build_schemas(registry, problems)
    graphql, graphql_problems = build_graphql_schema(registry)
    problems += graphql_problems
    problems += _missing_templates(registry, routes)
    queues = queue_specs(actions, tuple(registry.subscriptions), function_of, problems)
    subscriptions = _subscriptions(registry, function_of, queues, schemas)
    graphql_spec = (
        None
        if graphql is None
        else GraphQLSpec(
            graphql.sdl,
            tuple(_resolver_spec(r, function_of) for r in graphql.resolvers),
            field_names=graphql.field_names,
        )
    )
    websocket_enabled = any(item.is_subscribable for item in subscriptions)
    spec = AppSpec(
        app_module=registry.module,
        root=str(registry.root),
        router_for_all=settings.router_for_all,
        actions=tuple(
            dataclasses.replace(
                _action_spec(action, function_of, registry, schemas),
                uses=resources.uses[action.name],
                idempotency=resources.idempotency.get(action.name),
            )
            for action in actions
        ),
        functions=_functions(
            registry, function_of, graphql_spec is not None, websocket_enabled, resources.uses
        ),
        routes=routes,
        graphql=graphql_spec,
        queues=queues,
        subscriptions=subscriptions,
        static=_static(registry, settings.spa_fallback, problems),
        auth=auth_of(registry),
        schemas=schemas.components,
        api=settings.api,
        tables=resources.tables,
        buckets=resources.buckets,
        secrets=resources.secrets,
        parameters=resources.parameters,
        **{name: entry_builder(build)(actions, function_of, problems) for name, build in ENTRY_BUILDERS},
    )
    if problems and check:
        raise AppDefinitionError(problems)
    return spec


def _check_actions(registry: Registry, problems: list[str]) -> None:
    problems += duplicate_names(registry.actions)
    for action in registry.actions:
        where = f"action {action.name!r}"
        timeout = timeout_of(action)
        if not LAMBDA_TIMEOUT_S[0] <= timeout <= LAMBDA_TIMEOUT_S[1]:
            problems.append(f"{where}: timeout {timeout}s is outside Lambda's 1-900 seconds")
        problems += timeout_problems(action)
        if not LAMBDA_MEMORY_MB[0] <= action.memory <= LAMBDA_MEMORY_MB[1]:
            problems.append(f"{where}: memory {action.memory} MB is outside Lambda's 128-10240 MB")
        try:
            signature_of(action)
        except TypeError as error:
            problems.append(str(error))
        if action.batch:
            problems += batch_problems(action, registry.owners.get(action.name))


def _assign_functions(registry: Registry, router_for_all: bool) -> dict[str, str]:
    """One function per action, except generated actions (and all, when asked): the router."""
    return {
        action.name: ROUTER if router_for_all or action.is_generated else action.name
        for action in registry.actions
    }


def _functions(
    registry: Registry,
    function_of: dict[str, str],
    authorizer: bool,
    websocket: bool,
    uses: dict[str, tuple[UseSpec, ...]],
) -> tuple[FunctionSpec, ...]:
    grouped: dict[str, list[Action]] = {}
    for action in registry.actions:
        grouped.setdefault(function_of[action.name], []).append(action)
    functions = [
        FunctionSpec(
            name=name,
            actions=tuple(action.name for action in actions),
            timeout=max(timeout_of(action) for action in actions),
            memory=max(action.memory for action in actions),
            environment=_environment(registry.module, name),
            uses=function_uses(use for action in actions for use in uses[action.name]),
        )
        for name, actions in grouped.items()
    ]
    entries = [(AUTHORIZER, AUTHORIZER_TIMEOUT_S)] if authorizer else []
    entries += [(WEBSOCKET, WEBSOCKET_TIMEOUT_S)] if websocket else []
    functions += [
        FunctionSpec(name, (), timeout, ENTRY_MEMORY_MB, _environment(registry.module, name))
        for name, timeout in entries
    ]
    return tuple(functions)


def _environment(app_module: str, function: str) -> dict[str, str]:
    return {APP_MODULE: app_module, FUNCTION: function}


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
        timeout=timeout_of(action),
        memory=action.memory,
        owner=owner.__name__ if owner else None,
        batch_size=action.batch_size,
        batch=action.batch,
        issues_tokens=action.issues_tokens,
        publishes=tuple(item.name for item in action.publishes),
        puts_events=action.puts_events,
        examples=tuple(
            ExampleSpec(
                example.name,
                schemas.example_params(example.params),
                schemas.example_result(action.name, example.result),
                example.description,
                example.include_in_schema,
                example.include_in_tests,
                example.caller_scopes,
            )
            for example in action.examples
        ),
    )


def _resolver_spec(resolver: Resolver, function_of: dict[str, str]) -> ResolverSpec:
    return ResolverSpec(
        resolver.type_name,
        resolver.field_name,
        resolver.action,
        function_of[resolver.action],
        resolver.batch_size,
    )


def _missing_templates(registry: Registry, routes: tuple[RouteSpec, ...]) -> list[str]:
    """A page's template must exist, unless all its action can return is a redirect."""
    return [
        f"action {route.action!r}: template {route.template!r} was not found in {registry.root}"
        for route in routes
        if route.template is not None
        and not (registry.root / route.template).is_file()
        and signature_of(registry.action(route.action)).returns is not Redirect
    ]


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
            fan_out=item.fan_out,
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


def _static(registry: Registry, fallback: str | None, problems: list[str]) -> StaticSpec | None:
    directory = registry.root / "static"
    if not directory.is_dir():
        if fallback is not None:
            problems.append(f"{SPA_FALLBACK}={fallback!r}: the app has no static/ directory")
        return None
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    if fallback is not None and fallback not in files:
        problems.append(f"{SPA_FALLBACK}={fallback!r}: no such file in {directory}")
    return StaticSpec(str(directory), tuple(files), fallback)


def auth_of(registry: Registry) -> AuthSpec:
    """Whether any action or subscription needs a token, and every scope their access controls name."""
    controls = [action.access_control for action in registry.actions]
    controls += [item.access_control for item in registry.subscriptions]
    scopes = sorted({scope for control in controls if (scope := getattr(control, "execute_scope", None))})
    return AuthSpec(any(control.requires_token for control in controls), tuple(scopes))
