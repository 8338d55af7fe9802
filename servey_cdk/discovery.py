"""Discovery: import an app and collect its actions, subscriptions, middleware and resources.

The app is `--app MODULE`, else `SERVEY_ACTION_PATH`, else a module named `actions`.
It is imported from its project's root: the one given, else the first of the folder of the
nearest `cdk.json` (where the CDK CLI runs a CDK app from), that folder's parent (a CDK project
of its own beside the app) and the working directory that holds it.
Every submodule of a package is imported (folders without `__init__.py`, such as a
CDK entry script's, are not), and a module named `subscriptions` beside the app
module comes along. Nested actions (methods of returned
dataclasses or models) are found by walking the types the actions return.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servey_cdk.action import Action, get_action
from servey_cdk.errors import NotFound
from servey_cdk.forward_refs import resolve_qualified_refs
from servey_cdk.invocation import ActionRunner
from servey_cdk.middleware import Middleware, is_middleware
from servey_cdk.signature import signature_of
from servey_cdk.wire import APP_MODULE

if TYPE_CHECKING:
    from servey_cdk.graphql_settings import GraphQLSettings
    from servey_cdk.resources.declared import Resource
    from servey_cdk.subscriptions import Subscription

DEFAULT_APP_MODULE = "actions"


def app_module_name(app_module: str | None = None) -> str:
    return app_module or os.environ.get(APP_MODULE) or DEFAULT_APP_MODULE


@dataclass(frozen=True, eq=False)
class Registry:
    """The discovered app. `owners` maps each nested action's name to its owner type."""

    module: str
    root: Path
    actions: tuple[Action, ...]
    subscriptions: tuple[Subscription[Any], ...] = ()
    middlewares: tuple[Middleware, ...] = ()
    owners: dict[str, type] = field(default_factory=dict)
    graphql_settings: tuple[GraphQLSettings, ...] = ()  # as declared: more than one is a build problem
    resources: tuple[Resource, ...] = ()  # tables, buckets, secrets and parameters, as declared
    _runners: dict[str, ActionRunner] = field(default_factory=dict, repr=False)

    def action(self, name: str) -> Action:
        for candidate in self.actions:
            if candidate.name == name:
                return candidate
        raise NotFound(f"no action named {name!r}{_did_you_mean(name, [a.name for a in self.actions])}")

    def runner(self, name: str) -> ActionRunner:
        """The ready-to-call form of an action, built on first use and kept."""
        runner = self._runners.get(name)
        if runner is None:
            runner = ActionRunner(self.action(name), self.middlewares, self.owners.get(name))
            self._runners[name] = runner
        return runner

    def subscription(self, name: str) -> Subscription[Any]:
        for candidate in self.subscriptions:
            if candidate.name == name:
                return candidate
        raise NotFound(f"no subscription named {name!r}")


def discover(app_module: str | None = None, root: Path | None = None) -> Registry:
    """The app `app_module`, imported from `root` (else the first folder `app_roots` gives that holds it)."""
    name = app_module_name(app_module)
    searched = [root.resolve()] if root is not None else app_roots()
    top = name.partition(".")[0]
    home = next((folder for folder in searched if _holds_module(folder, top)), searched[0])
    if str(home) not in sys.path:
        sys.path.insert(0, str(home))
    modules = list(_import_app(name, searched))
    actions: dict[int, Action] = {}
    subscriptions: dict[int, Subscription[Any]] = {}
    middlewares: dict[int, Middleware] = {}
    graphql_settings: dict[int, GraphQLSettings] = {}
    resources: dict[int, Resource] = {}
    subscription_kind = _loaded("servey_cdk.subscriptions", "Subscription")
    settings_kind = _loaded("servey_cdk.graphql_settings", "GraphQLSettings")
    resource_kinds = _loaded("servey_cdk.resources.declared", "Table", "Bucket", "Secret", "Parameter")
    for module in modules:
        for value in vars(module).values():
            found = get_action(value)
            if found is not None:
                actions.setdefault(id(found), found)
            elif isinstance(value, subscription_kind):
                subscriptions.setdefault(id(value), value)
            elif is_middleware(value):
                middlewares.setdefault(id(value), value)
            elif isinstance(value, settings_kind):
                graphql_settings.setdefault(id(value), value)
            elif isinstance(value, resource_kinds):
                resources.setdefault(id(value), value)
            elif isinstance(value, type) and value.__module__ == module.__name__:
                resolve_qualified_refs(value)
    owners = _nested_actions(list(actions.values()))
    nested = [action for action, _ in owners.values() if id(action) not in actions]
    root_file = getattr(modules[0], "__file__", None)
    return Registry(
        module=name,
        # a package's own folder, or the folder of a plain module: templates/ and static/ live there
        root=Path(root_file).parent if root_file else Path.cwd(),
        actions=(*actions.values(), *nested),
        subscriptions=tuple(subscriptions.values()),
        middlewares=tuple(middlewares.values()),
        owners={action.name: owner for action, owner in owners.values()},
        graphql_settings=tuple(graphql_settings.values()),
        resources=tuple(resources.values()),
    )


def duplicate_names(actions: Sequence[Action]) -> list[str]:
    """A problem for each action name that two actions share, naming both."""
    seen: dict[str, Action] = {}
    problems = []
    for action in actions:
        other = seen.setdefault(action.name, action)
        if other is not action:
            both = f"{other.qualified_name} and {action.qualified_name}"
            problems.append(f"action {action.name!r}: the name is used by both {both}")
    return problems


def app_roots(start: Path | None = None) -> list[Path]:
    """Where an app is looked for, in order: the nearest `cdk.json`'s folder and its parent, then `start`."""
    here = (start or Path.cwd()).resolve()
    config = next((folder for folder in (here, *here.parents) if (folder / "cdk.json").is_file()), None)
    candidates = [config, config.parent] if config is not None else []
    return list(dict.fromkeys([*candidates, here]))


def _holds_module(folder: Path, top: str) -> bool:
    return (folder / top).is_dir() or (folder / f"{top}.py").is_file()


def _loaded(module: str, *names: str) -> tuple[type[Any], ...]:
    """The classes `names` of `module` if anything imported it, else none: a value can only be of a
    class that exists, and not importing the module keeps it off a cold start that never uses it."""
    found = sys.modules.get(module)
    return tuple(getattr(found, name) for name in names) if found is not None else ()


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    import difflib  # here, as only a name not found needs it

    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _import_app(name: str, searched: Sequence[Path]) -> Iterator[types.ModuleType]:
    try:
        root = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and (name == error.name or name.startswith(error.name + ".")):
            import pkgutil

            folders = ", ".join(str(folder) for folder in searched)
            nearby = [info.name for info in pkgutil.iter_modules([str(folder) for folder in searched])]
            raise ModuleNotFoundError(
                f"app module {name!r} was not found in {folders} or on the import path "
                f"(set --app or SERVEY_ACTION_PATH, or give the app's root)"
                f"{_did_you_mean(name.partition('.')[0], nearby)}",
                name=name,
            ) from None
        raise
    yield root
    if hasattr(root, "__path__"):
        import pkgutil

        prefix = root.__name__ + "."
        for info in sorted(pkgutil.walk_packages(root.__path__, prefix), key=lambda i: i.name):
            yield importlib.import_module(info.name)
    parent = name.rpartition(".")[0]
    sibling = f"{parent}.subscriptions" if parent else "subscriptions"
    if sibling != name and importlib.util.find_spec(sibling) is not None:
        yield importlib.import_module(sibling)


def _nested_actions(actions: list[Action]) -> dict[int, tuple[Action, type]]:
    """Actions defined on types the given actions return, found transitively."""
    found: dict[int, tuple[Action, type]] = {}
    seen_types: set[type] = set()
    pending = [signature_of(action).returns for action in actions]
    while pending:
        for owner in _model_types(pending.pop(), seen_types):
            for attribute in vars(owner).values():
                nested = get_action(attribute)
                if nested is not None and id(nested) not in found:
                    found[id(nested)] = (nested, owner)
                    pending.append(signature_of(nested).returns)
    return found


def _model_types(annotation: Any, seen: set[type]) -> Iterator[type]:
    """User-defined record types (dataclasses, pydantic models) reachable from a hint."""
    for arg in typing.get_args(annotation):
        yield from _model_types(arg, seen)
    if not isinstance(annotation, type) or annotation in seen or not is_record_type(annotation):
        return
    seen.add(annotation)
    yield annotation
    try:
        hints = typing.get_type_hints(annotation)
    except (NameError, TypeError):
        return
    for hint in hints.values():
        yield from _model_types(hint, seen)


def is_record_type(cls: type) -> bool:
    return dataclasses.is_dataclass(cls) or hasattr(cls, "model_fields") or typing.is_typeddict(cls)
