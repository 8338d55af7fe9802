"""Warm dispatch: the time per invoke, in microseconds, of GET /actions/say-hello?name=World and
of the realistic POST /orders (a nested pydantic body in, a model out).

Every framework handles the same API Gateway REST event in one process, in the environment
Lambda gives a function (`LAMBDA_ENVIRONMENT`), with its app
imported and warmed up; the figure is the best of several timed rounds, since anything
slower than the best is noise from the machine, not the code.

    python benchmarks/warm_dispatch.py [--number 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import timeit

from _common import (
    APPS,
    CONTENDERS,
    LAMBDA_ENVIRONMENT,
    ORDER_CONTENDERS,
    ORDERS_BASELINE,
    REPO_ROOT,
    Contender,
    LambdaContext,
    load_event,
    print_table,
)


def measure(contender: Contender, number: int, repeat: int) -> float:
    os.environ.update({**LAMBDA_ENVIRONMENT, **dict(contender.environment)})
    module_name, _, attribute = contender.handler.partition(":")
    handler = getattr(importlib.import_module(module_name), attribute)
    event, context = load_event(contender.event_file), LambdaContext()
    response = handler(event, context)
    if response["statusCode"] != 200:
        raise RuntimeError(f"{contender.handler} answered {response}")
    rounds = timeit.repeat(lambda: handler(event, context), number=number, repeat=repeat)
    return min(rounds) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="invokes of the GET per round")
    parser.add_argument("--repeat", type=int, default=7, help="rounds; the best one counts")
    parser.add_argument("--orders", action="store_true", help=argparse.SUPPRESS)  # the second process
    args = parser.parse_args()
    sys.path[:0] = [str(APPS), str(REPO_ROOT)]
    os.chdir(APPS)
    if args.orders:
        figures = {c.name: measure(c, args.number // 5, args.repeat) for c in ORDER_CONTENDERS}
        title = "Warm dispatch, POST /orders: a nested pydantic body in, a model out (best of rounds)"
        print_table(title, "µs per invoke", figures, baseline=ORDERS_BASELINE)
        return
    figures = {c.name: measure(c, args.number, args.repeat) for c in CONTENDERS}
    print_table("Warm dispatch, GET with validation (best of rounds)", "µs per invoke", figures)
    # servey-cdk's handler loads its app once a process: the realistic app gets a process of its own.
    subprocess.run([sys.executable, __file__, "--orders", *sys.argv[1:]], check=True)


if __name__ == "__main__":
    main()
