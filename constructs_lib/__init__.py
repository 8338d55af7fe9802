"""CDK constructs that render a servey-cdk app's AppSpec into AWS resources."""

from constructs_lib.node import use_supported_node

use_supported_node()

from constructs_lib.app import ServeyApp, ServeyStack  # noqa: E402
from constructs_lib.auth import ServeyAuth  # noqa: E402
from constructs_lib.functions import ServeyFunctions  # noqa: E402
from constructs_lib.graphql import ServeyGraphqlApi  # noqa: E402
from constructs_lib.object_events import ServeyObjectEvents  # noqa: E402
from constructs_lib.props import PropsError  # noqa: E402
from constructs_lib.queues import ServeyQueues  # noqa: E402
from constructs_lib.rest import ServeyRestApi  # noqa: E402
from constructs_lib.schedules import ServeySchedules  # noqa: E402
from constructs_lib.site import ServeySite  # noqa: E402
from constructs_lib.websocket import ServeyWebSocketApi  # noqa: E402

__all__ = [
    "PropsError",
    "ServeyApp",
    "ServeyAuth",
    "ServeyFunctions",
    "ServeyGraphqlApi",
    "ServeyObjectEvents",
    "ServeyQueues",
    "ServeyRestApi",
    "ServeySchedules",
    "ServeySite",
    "ServeyStack",
    "ServeyWebSocketApi",
]
