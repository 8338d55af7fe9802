"""The HTTP API flavour (`AppSpec.api == "http"`): what the constructs and servey-local agree on.

An HTTP API has no gateway responses, mock methods or request validator to answer
an unknown path or another method of a known one by itself. So its `$default` route,
which takes every request no route matches, goes to one function of the app, whose
handler answers the 404 or the 405 (with `Allow`) in the runtime's own error bodies,
as the REST flavour's gateway answers read. A required query parameter that is
missing reaches the action, which answers its 422. What the HTTP API itself answers
when a function fails or is too slow differs from the REST API's, and is kept here.
"""

from __future__ import annotations

from servey_cdk.appspec import AppSpec
from servey_cdk.wire import ROUTER

DEFAULT_ROUTE = "$default"
STAGE = "$default"  # served at the API's root: no stage name in the path
PAYLOAD_VERSION = "2.0"
# A Lambda integration of an HTTP API waits at most 30 s; the app's routes keep the REST API's 29 s,
# which is what an action's timeout is checked against at build.
INTEGRATION_TIMEOUT_S = 29
FUNCTION_FAILED = (500, '{"message":"Internal Server Error"}')  # a function error or a malformed answer
TIMED_OUT = (503, '{"message":"Service Unavailable"}')  # no answer within the integration timeout


def default_route_function(spec: AppSpec) -> str:
    """The function of the `$default` route: the router when it serves routes, else the first route's."""
    functions = [route.function for route in spec.routes]
    return ROUTER if ROUTER in functions else functions[0]
