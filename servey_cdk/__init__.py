"""servey-cdk: annotate Python functions once, ship them to AWS through the CDK.

Everything an app's code needs is importable from here. Importing this package is
cheap: pydantic and the rest load only when an action is first validated.
"""

from servey_cdk import triggers
from servey_cdk.access_control import AccessControl, AllowAll, AllowNone, ScopeAccessControl
from servey_cdk.action import Action, action, get_action
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
from servey_cdk.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    ServeyError,
    Unauthorized,
)
from servey_cdk.event_bus import EventRefused, put_event
from servey_cdk.example import Example
from servey_cdk.graphql_settings import GraphQLSettings
from servey_cdk.idempotency import Idempotency
from servey_cdk.matchers import ANY, ANY_DATETIME, ANY_UUID, Matcher, ValueMatcher
from servey_cdk.middleware import CallNext, Invocation, middleware
from servey_cdk.pages import PageResponse, Redirect
from servey_cdk.resources import Bucket, Index, Key, Parameter, Secret, Table
from servey_cdk.responses import Response
from servey_cdk.subscription import Subscription, subscription
from servey_cdk.triggers import *  # noqa: F403  (every trigger kind, as listed there)

__all__ = [
    "Bucket",
    "Idempotency",
    "Index",
    "Key",
    "Parameter",
    "Secret",
    "Table",
    "ANY",
    "ANY_DATETIME",
    "ANY_UUID",
    "AccessControl",
    "Action",
    "AllowAll",
    "AllowNone",
    "Authenticator",
    "Authorization",
    "CallNext",
    "Credentials",
    "EventRefused",
    "Example",
    "Forbidden",
    "GraphQLSettings",
    "Identity",
    "InvalidInput",
    "Invocation",
    "Matcher",
    "NoCacheControl",
    "NotFound",
    "PageResponse",
    "Redirect",
    "Response",
    "ScopeAccessControl",
    "ServeyError",
    "Subscription",
    "TimestampCacheControl",
    "TokenResponse",
    "TtlCacheControl",
    "Unauthorized",
    "ValueMatcher",
    "action",
    "get_action",
    "granted_scopes",
    "middleware",
    "put_event",
    "subscription",
    "token_action",
]
__all__ += triggers.__all__
