"""HTTP routes of an app: one per web trigger and one per page trigger.

Cheap to derive (no schemas are built), so the Lambda router uses the same function
as AppSpec and both always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from servey_cdk.action import Action
from servey_cdk.discovery import Registry
from servey_cdk.signature import signature_of
from servey_cdk.triggers import WebPageTrigger, WebTrigger

_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    action: str
    kind: Literal["action", "page"] = "action"
    path_params: tuple[str, ...] = ()
    template: str | None = None


def kebab(name: str) -> str:
    return name.replace("_", "-").lower()


def route_of(action: Action, trigger: WebTrigger | WebPageTrigger) -> Route:
    if isinstance(trigger, WebPageTrigger):
        path = trigger.path or f"/{kebab(action.name)}"
        template = trigger.template or f"templates/{action.name}.j2"
        return Route(trigger.method, path, action.name, "page", _params(path), template)
    path = trigger.path or f"/actions/{kebab(action.name)}"
    return Route(trigger.method, path, action.name, "action", _params(path))


def _params(path: str) -> tuple[str, ...]:
    return tuple(_PATH_PARAMETER.findall(path))


def routes_of(registry: Registry) -> tuple[list[Route], list[str]]:
    """Every route of the app, and the problems that forbid deploying them."""
    routes: list[Route] = []
    problems: list[str] = []
    taken: dict[tuple[str, str], str] = {}
    for action in registry.actions:
        for trigger in action.triggers:
            if not isinstance(trigger, WebTrigger | WebPageTrigger):
                continue
            route = route_of(action, trigger)
            where = f"action {action.name!r} route {route.method} {route.path}"
            if not route.path.startswith("/"):
                problems.append(f"{where}: a path must start with '/'")
            names = {parameter.name for parameter in signature_of(action).inputs}
            for missing in sorted(set(route.path_params) - names):
                problems.append(f"{where}: path parameter {{{missing}}} is not a parameter of the action")
            key = (route.method, _shape(route.path))
            if key in taken and taken[key] != action.name:
                problems.append(f"{where}: the route is taken by action {taken[key]!r}")
            taken.setdefault(key, action.name)
            routes.append(route)
    return routes, problems


def _shape(path: str) -> str:
    """`/items/{id}` and `/items/{item_id}` are one route to API Gateway."""
    return _PATH_PARAMETER.sub("{}", path.rstrip("/") or "/")
