"""What both benchmarks share: the apps compared, the event they handle, and the table."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS.parent
APPS = BENCHMARKS / "bench_apps"
EVENT_FILE = REPO_ROOT / "tests" / "events" / "apigw_rest_say_hello.json"
ORDERS_EVENT_FILE = APPS / "orders_event.json"  # POST /orders: an order of ten line items


@dataclass(frozen=True)
class Contender:
    """A framework serving the same one-route app; `handler` is `module:attribute` in bench_apps."""

    name: str
    handler: str
    environment: tuple[tuple[str, str], ...] = ()
    app_module: str | None = None  # servey-cdk's: its code asset is staged, as Lambda would run it
    router_for_all: bool = False
    event_file: Path = EVENT_FILE


def staged_asset(contender: Contender) -> Path:
    """A servey-cdk contender's code asset as the constructs stage it for a runtime of this
    interpreter's Python, its AppSpec and bytecode included, in a temporary folder."""
    assert contender.app_module is not None
    sys.path[:0] = [str(APPS), str(REPO_ROOT)]
    from constructs_lib.packaging import stage_code
    from servey_cdk.appspec_builder import BuildSettings, load_spec
    from servey_cdk.packages import host_python_version

    app_module = contender.app_module
    spec = load_spec(app_module, BuildSettings(router_for_all=contender.router_for_all))
    target = Path(tempfile.mkdtemp(prefix=f"servey-bench-{app_module}-")) / "task"
    shipped = spec.shipped().to_json()
    return stage_code(Path(spec.root), app_module, target, shipped, host_python_version())


CONTENDERS = (
    Contender(
        "servey-cdk",
        "servey_cdk.aws.handler:handler",
        (("SERVEY_ACTION_PATH", "servey_hello"), ("SERVEY_FUNCTION", "say_hello")),
        "servey_hello",
    ),
    Contender("chalice", "chalice_hello:handler"),
    Contender("powertools (validation)", "powertools_hello:handler"),
    Contender("hand-written", "hand_hello:handler"),
)
ROUTER_50 = Contender(
    "servey-cdk, 50-action router",
    "servey_cdk.aws.handler:handler",
    (("SERVEY_ACTION_PATH", "servey_router50"), ("SERVEY_FUNCTION", "router")),
    "servey_router50",
    router_for_all=True,
)


# The realistic app: a nested pydantic body in, a model out. The hand-written handler is the floor.
ORDERS_BASELINE = "hand-written pydantic"
ORDER_CONTENDERS = (
    Contender(
        "servey-cdk",
        "servey_cdk.aws.handler:handler",
        (("SERVEY_ACTION_PATH", "servey_orders"), ("SERVEY_FUNCTION", "place_order")),
        "servey_orders",
        event_file=ORDERS_EVENT_FILE,
    ),
    Contender("chalice + pydantic", "chalice_orders:handler", event_file=ORDERS_EVENT_FILE),
    Contender("powertools (validation)", "powertools_orders:handler", event_file=ORDERS_EVENT_FILE),
    Contender(ORDERS_BASELINE, "hand_orders:handler", event_file=ORDERS_EVENT_FILE),
)


# What Lambda sets in every function's environment that the frameworks read: each takes its
# Lambda-only path (servey-cdk's joins the runtime's logging and installs its AWS senders).
LAMBDA_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
}


class LambdaContext:
    function_name = "bench"
    function_version = "$LATEST"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def load_event(path: Path = EVENT_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def print_table(title: str, unit: str, figures: dict[str, float], baseline: str = "servey-cdk") -> None:
    """One row per contender: its figure and its ratio to the baseline's."""
    print(f"\n{title}\n")
    print(f"| framework | {unit} | ratio to {baseline} |")
    print("| --- | ---: | ---: |")
    for name, value in figures.items():
        print(f"| {name} | {value:.2f} | {value / figures[baseline]:.2f} |")
