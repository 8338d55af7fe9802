"""servey-cdk: annotate Python functions once, ship them to AWS through the CDK.

Everything an app's code needs is importable from here. Each name is imported from its
module when it is first asked for, so that an app's `from servey_cdk import WEB_GET, action`
loads what those two need and not every trigger kind, the event bus and the subscriptions: on a
Lambda cold start that was most of servey-cdk's import time. pydantic and the rest load only
when an action is first validated.
"""

# ruff: noqa: F401  (the names imported for type checkers are exported by `__all__`, built below)

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from servey_cdk import triggers  # cheap: it lists the kinds, and imports each when asked for it

# Bound now, as their modules' names are these functions' own: a later import of
# `servey_cdk.action` would otherwise leave the module where the function is looked for.
from servey_cdk.action import action
from servey_cdk.middleware import middleware

if TYPE_CHECKING:
    from servey_cdk.access_control import AccessControl, AllowAll, AllowNone, ScopeAccessControl
    from servey_cdk.action import Action, get_action
    from servey_cdk.authenticator import (
        Authenticator,
        Credentials,
        Identity,
        TokenResponse,
        granted_scopes,
        token_action,
    )
    from servey_cdk.authorization import Authorization
    from servey_cdk.cache_control import NoCacheControl, TimestampCacheControl, TtlCacheControl
    from servey_cdk.errors import Forbidden, InvalidInput, NotFound, ServeyError, Unauthorized
    from servey_cdk.event_bus import EventRefused, put_event
    from servey_cdk.example import Example
    from servey_cdk.graphql_settings import GraphQLSettings
    from servey_cdk.idempotency import Idempotency
    from servey_cdk.matchers import ANY, ANY_DATETIME, ANY_UUID, Matcher, ValueMatcher
    from servey_cdk.middleware import CallNext, Invocation
    from servey_cdk.pages import PageResponse, Redirect
    from servey_cdk.resources import Bucket, Index, Key, Parameter, Secret, Table
    from servey_cdk.responses import Response
    from servey_cdk.subscriptions import Subscription, subscription
    from servey_cdk.triggers import *  # noqa: F403  (every trigger kind, as listed there)

_HOMES = {
    "servey_cdk.access_control": ("AccessControl", "AllowAll", "AllowNone", "ScopeAccessControl"),
    "servey_cdk.action": ("Action", "action", "get_action"),
    "servey_cdk.authenticator": (
        "Authenticator",
        "Credentials",
        "Identity",
        "TokenResponse",
        "granted_scopes",
        "token_action",
    ),
    "servey_cdk.authorization": ("Authorization",),
    "servey_cdk.cache_control": ("NoCacheControl", "TimestampCacheControl", "TtlCacheControl"),
    "servey_cdk.errors": ("Forbidden", "InvalidInput", "NotFound", "ServeyError", "Unauthorized"),
    "servey_cdk.event_bus": ("EventRefused", "put_event"),
    "servey_cdk.example": ("Example",),
    "servey_cdk.graphql_settings": ("GraphQLSettings",),
    "servey_cdk.idempotency": ("Idempotency",),
    "servey_cdk.matchers": ("ANY", "ANY_DATETIME", "ANY_UUID", "Matcher", "ValueMatcher"),
    "servey_cdk.middleware": ("CallNext", "Invocation", "middleware"),
    "servey_cdk.pages": ("PageResponse", "Redirect"),
    "servey_cdk.resources": ("Bucket", "Index", "Key", "Parameter", "Secret", "Table"),
    "servey_cdk.responses": ("Response",),
    "servey_cdk.subscriptions": ("Subscription", "subscription"),
    "servey_cdk.triggers": tuple(triggers.__all__),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:  # a submodule (`from servey_cdk import triggers`) is the import system's to load
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
