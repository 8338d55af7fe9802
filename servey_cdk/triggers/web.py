"""Web triggers: REST routes and HTML pages; the AppSpec's `RouteSpec`s are built here.

Lambda adapter `servey_cdk/aws/rest.py` (pages: `aws/page.py`), construct
`constructs_lib/rest.py`, emulator `local_runtime/rest.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servey_cdk.types import HttpMethod

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import RouteSpec
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
DEFAULT_TIMEOUT_S = 30


@dataclass(frozen=True)
class WebTrigger:
    """Serve the action over REST (API Gateway) and GraphQL (AppSync).

    GET actions become GraphQL queries, every other method a mutation. With no path
    the route is derived from the action's name (`say_hello` → `/actions/say-hello`);
    `{name}` segments bind path parameters to arguments of the same name. `status` is
    the success status of a plain result (201 for a creation, 204 for no body); a
    `servey_cdk.Response` the action returns sets its own.
    """

    method: HttpMethod = "GET"
    path: str | None = None
    status: int = 200


WEB_GET = WebTrigger("GET")
WEB_POST = WebTrigger("POST")
WEB_PUT = WebTrigger("PUT")
WEB_PATCH = WebTrigger("PATCH")
WEB_DELETE = WebTrigger("DELETE")


@dataclass(frozen=True)
class WebPageTrigger:
    """Render the action's result into a Jinja template and serve it as an HTML page.

    Defaults derive from the action name: `current_time_page` is served at
    `/current-time-page` with `templates/current_time_page.j2`.
    """

    path: str | None = None
    template: str | None = None
    method: HttpMethod = "GET"


def timeout_of(action: Action) -> int:
    """The seconds an action's function may run: its own timeout, else API Gateway's integration
    timeout for an action API Gateway or AppSync waits for (a longer one would run on after the
    caller was answered 504), else Lambda's usual 30 s."""
    from servey_cdk.api_gateway import INTEGRATION_TIMEOUT_S

    if action.timeout is not None:
        return action.timeout
    return INTEGRATION_TIMEOUT_S if _waited_for(action) else DEFAULT_TIMEOUT_S


def timeout_problems(action: Action) -> list[str]:
    """A timeout longer than its callers wait: they would be answered 504 while it runs on."""
    from servey_cdk.api_gateway import INTEGRATION_TIMEOUT_S

    timeout = timeout_of(action)
    if not (_waited_for(action) and timeout > INTEGRATION_TIMEOUT_S):
        return []
    return [
        f"action {action.name!r}: timeout {timeout}s is over API Gateway's {INTEGRATION_TIMEOUT_S} s "
        "integration timeout: its callers would be answered 504 while it runs on"
    ]


def _waited_for(action: Action) -> bool:
    """Whether API Gateway or AppSync calls the action and waits for its answer."""
    return any(isinstance(trigger, WebTrigger | WebPageTrigger) for trigger in action.triggers)


def kebab(name: str) -> str:
    return name.replace("_", "-").lower()


def route_of(action: Action, trigger: WebTrigger | WebPageTrigger, function: str) -> RouteSpec:
    from servey_cdk.appspec import RouteSpec

    requires_token = action.access_control.requires_token
    if isinstance(trigger, WebPageTrigger):
        path = trigger.path or f"/{kebab(action.name)}"
        template = trigger.template or f"templates/{action.name}.j2"
        return RouteSpec(
            trigger.method, path, action.name, function, "page", _params(path), requires_token, template
        )
    path = trigger.path or f"/actions/{kebab(action.name)}"
    return RouteSpec(
        trigger.method, path, action.name, function, "action", _params(path), requires_token,
        status=trigger.status,
    )  # fmt: skip


def _params(path: str) -> tuple[str, ...]:
    """The path's parameters, a greedy one's `+` left out: `/files/{key+}` → `("key",)`."""
    return tuple(name.rstrip("+") for name in _PATH_PARAMETER.findall(path))


def route_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[RouteSpec, ...]:
    """Every route of the app; what forbids deploying them goes to `problems`."""
    from servey_cdk.path_templates import path_problems
    from servey_cdk.signature import signature_of

    routes: list[RouteSpec] = []
    taken: dict[tuple[str, str], str] = {}
    for action in actions:
        for trigger in action.triggers:
            if not isinstance(trigger, WebTrigger | WebPageTrigger):
                continue
            route = route_of(action, trigger, function_of[action.name])
            where = f"action {action.name!r} route {route.method} {route.path}"
            problems += [f"{where}: {problem}" for problem in path_problems(route.path)]
            if not 200 <= route.status <= 299:
                problems.append(f"{where}: status {route.status} is not a success status (200-299)")
            names = {parameter.name for parameter in signature_of(action).inputs}
            for missing in sorted(set(route.path_params) - names):
                problems.append(f"{where}: path parameter {{{missing}}} is not a parameter of the action")
            key = (route.method, _shape(route.path))
            if key in taken and taken[key] != action.name:
                problems.append(f"{where}: the route is taken by action {taken[key]!r}")
            taken.setdefault(key, action.name)
            routes.append(route)
    return tuple(routes)


def _shape(path: str) -> str:
    """`/items/{id}` and `/items/{item_id}` are one route to API Gateway."""
    return _PATH_PARAMETER.sub("{}", path.rstrip("/") or "/")
