"""Cold start: a fresh Python process imports the handler and handles one API Gateway event.

Each run is a new `python -c` process, as on a new Lambda instance; the figure is the
median wall time over the runs, in milliseconds, with the contenders interleaved so
that the machine's load falls on all alike. Each process first imports what Lambda's
runtime interface client (awslambdaric's `bootstrap.py`) has imported before it imports a
handler, logging and traceback among them, with the variables Lambda sets (`LAMBDA_ENVIRONMENT`);
`python -c pass` is the interpreter alone.

    python benchmarks/cold_start.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    APPS,
    CONTENDERS,
    LAMBDA_ENVIRONMENT,
    ORDER_CONTENDERS,
    ORDERS_BASELINE,
    REPO_ROOT,
    ROUTER_50,
    Contender,
    print_table,
    staged_asset,
)

SCRIPT = """
import importlib, json, logging, os, sys, time, traceback
from {module} import {attribute} as handler
class LambdaContext:
    function_name = "bench"
    function_version = "$LATEST"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
response = handler(json.load(open({event!r})), LambdaContext())
assert response["statusCode"] == 200, response
"""


def run_once(contender: Contender | None, assets: dict[int, Path]) -> float:
    """One fresh process; servey-cdk's runs from its staged code asset, as Lambda runs /var/task."""
    if contender is None:
        code = "pass"
    else:
        module, _, attribute = contender.handler.partition(":")
        code = SCRIPT.format(module=module, attribute=attribute, event=str(contender.event_file))
    environment = {**os.environ, **LAMBDA_ENVIRONMENT, **dict(contender.environment if contender else ())}
    asset = assets.get(id(contender)) if contender else None
    folder = asset or APPS
    environment["PYTHONPATH"] = str(asset) if asset else os.pathsep.join([str(APPS), str(REPO_ROOT)])
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=folder, env=environment, check=True)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="processes per contender; the median counts")
    args = parser.parse_args()
    hello: list[Contender | None] = [*CONTENDERS, ROUTER_50, None]
    contenders = [*hello, *ORDER_CONTENDERS]
    assets = {id(c): staged_asset(c) for c in contenders if c is not None and c.app_module is not None}
    times: dict[int, list[float]] = {}
    for contender in contenders:  # one run each, unmeasured: fills the OS file cache and writes .pyc files
        run_once(contender, assets)
    for _ in range(args.runs):
        for contender in contenders:
            times.setdefault(id(contender), []).append(run_once(contender, assets))

    def medians(group: list[Contender | None]) -> dict[str, float]:
        return {c.name if c else "python -c pass": statistics.median(times[id(c)]) for c in group}

    print_table(f"Cold start, median of {args.runs} fresh processes", "ms", medians(hello))
    title = f"Cold start of POST /orders (a nested pydantic body), median of {args.runs} fresh processes"
    print_table(title, "ms", medians(list(ORDER_CONTENDERS)), baseline=ORDERS_BASELINE)


if __name__ == "__main__":
    main()
