"""servey-cdk: annotate Python functions once, ship them to AWS through the CDK.

Everything an app's code needs is importable from here. Importing this package is
cheap: pydantic and the rest load only when an action is first validated.
"""

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
from servey_cdk.cache_control import NoCacheControl, TtlCacheControl
from servey_cdk.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    ServeyError,
    Unauthorized,
)
from servey_cdk.example import Example
from servey_cdk.middleware import CallNext, Invocation, middleware
from servey_cdk.pages import PageResponse, Redirect
from servey_cdk.subscription import Subscription, subscription
from servey_cdk.triggers import (
    WEB_DELETE,
    WEB_GET,
    WEB_PATCH,
    WEB_POST,
    WEB_PUT,
    EventTrigger,
    FixedRateTrigger,
    S3Trigger,
    ScheduleTrigger,
    SnsTrigger,
    SubscriptionTrigger,
    WebPageTrigger,
    WebTrigger,
)

__all__ = [
    "WEB_DELETE",
    "WEB_GET",
    "WEB_PATCH",
    "WEB_POST",
    "WEB_PUT",
    "AccessControl",
    "Action",
    "AllowAll",
    "AllowNone",
    "Authenticator",
    "Authorization",
    "CallNext",
    "Credentials",
    "EventTrigger",
    "Example",
    "FixedRateTrigger",
    "Forbidden",
    "Identity",
    "InvalidInput",
    "Invocation",
    "NoCacheControl",
    "NotFound",
    "PageResponse",
    "Redirect",
    "S3Trigger",
    "ScheduleTrigger",
    "ScopeAccessControl",
    "ServeyError",
    "SnsTrigger",
    "Subscription",
    "SubscriptionTrigger",
    "TokenResponse",
    "TtlCacheControl",
    "Unauthorized",
    "WebPageTrigger",
    "WebTrigger",
    "action",
    "get_action",
    "granted_scopes",
    "middleware",
    "subscription",
    "token_action",
]
