"""The wire contract: every name the constructs, the Lambda runtime and the emulator share.

Environment variables a function is given, the keys of the events servey-cdk itself
sends, the file a code asset carries, and the rules that turn the AppSpec's names
into AWS's. Each is written here once; the three sides import it from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What every function is given.
APP_MODULE = "SERVEY_ACTION_PATH"  # the app's module (also how a user names it locally)
FUNCTION = "SERVEY_FUNCTION"  # the FunctionSpec the function runs
HANDLER = "servey_cdk.aws.handler.handler"
SPEC_FILE = "servey-spec.json"  # the app's AppSpec, at the top of its code asset
FUNCTION_METADATA = "servey:function"  # template metadata naming the FunctionSpec a resource runs

# What some functions are given, by what they use.
TOKEN_KEY_ID = "SERVEY_TOKEN_KEY_ID"  # the KMS key of tokens
TOKEN_ISSUER = "SERVEY_TOKEN_ISSUER"
TOKEN_AUDIENCE = "SERVEY_TOKEN_AUDIENCE"
TOKEN_LIFETIME = "SERVEY_TOKEN_LIFETIME"
CONNECTIONS_TABLE = "SERVEY_CONNECTIONS_TABLE"  # the websocket connections' DynamoDB table
WEBSOCKET_ENDPOINT = "SERVEY_WEBSOCKET_ENDPOINT"  # the websocket API's callback URL
QUEUE_PREFIX = "SERVEY_QUEUE_"  # + a queue's name: its URL, for publishers
TOPIC_PREFIX = "SERVEY_TOPIC_"  # + a fan-out subscription's name: its topic's ARN, for publishers
BUCKET_PREFIX = "SERVEY_BUCKET_"  # + a bucket's logical name: its real name
TABLE_PREFIX = "SERVEY_TABLE_"  # + a table's logical name: its real name
SECRET_PREFIX = "SERVEY_SECRET_"  # + a secret's logical name: its ARN
PARAMETER_PREFIX = "SERVEY_PARAMETER_"  # + a parameter's logical name: its real name
RESOURCE_PREFIXES = {
    "table": TABLE_PREFIX,
    "bucket": BUCKET_PREFIX,
    "secret": SECRET_PREFIX,
    "parameter": PARAMETER_PREFIX,
}
EVENT_BUS_PREFIX = "SERVEY_EVENT_BUS_"  # + a bus of the app's own: its name as deployed, for putters
CORS_ORIGIN = "SERVEY_CORS_ORIGIN"
TRACING = "SERVEY_TRACING"
METRICS = "SERVEY_METRICS"

# Build-time settings, read by the commands that build a spec (never by the spec itself).
ROUTER_FOR_ALL = "SERVEY_AWS_ROUTER_FOR_ALL"
SPA_FALLBACK = "SERVEY_SPA_FALLBACK"
API_FLAVOUR = "SERVEY_API"  # "rest" (API Gateway's REST API, the default) or "http" (its HTTP API)

# The functions beside the actions' own.
ROUTER = "router"  # serves several actions
AUTHORIZER = "graphql-authorizer"  # AppSync's Lambda authorizer
WEBSOCKET = "websocket"  # the websocket API's routes

# Keys of the events servey-cdk sends itself.
SCHEDULE_KEY = "servey_schedule"  # the input of our EventBridge Scheduler schedules


def environment_name(prefix: str, name: str) -> str:
    """`SERVEY_QUEUE_` + `messager-record_message` → `SERVEY_QUEUE_MESSAGER_RECORD_MESSAGE`."""
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def trigger_name(base: str, index: int, count: int) -> str:
    """The name of an action's trigger `index` (from 0) of `count` of one kind: `base`, suffixed when
    several. A schedule's base is the action's name; an event trigger's, the name and `-events`."""
    return f"{base}-{index + 1}" if count > 1 else base


def queue_name(subscription: str, action: str) -> str:
    """The queue that feeds a subscription's events to one linked action."""
    return f"{subscription}-{action}"


def named_by(resource: str, names: Iterable[str]) -> str | None:
    """The one of `names` that an AWS resource name stands for, or None.

    The constructs name each resource so that its name ends with the spec's name,
    after a stack's prefix; `_` and `-` are alike and case is ignored, since AWS
    names are often kebab-cased. The longest name wins: `a-b` over `b`.
    """
    wanted = _normal(resource)
    matches = [name for name in names if wanted == _normal(name) or wanted.endswith("-" + _normal(name))]
    return max(matches, key=len) if matches else None


def _normal(name: str) -> str:
    return name.replace("_", "-").lower()
