"""Warm dispatch: the time per invoke of GET /actions/say-hello?name=World, in microseconds.

Every framework handles the same recorded API Gateway REST event in one process, with
its app imported and warmed up; the figure is the best of several timed rounds, since
anything slower than the best is noise from the machine, not the code.

    python benchmarks/warm_dispatch.py [--number 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import timeit

from _common import APPS, CONTENDERS, REPO_ROOT, LambdaContext, load_event, print_table


def measure(handler_path: str, number: int, repeat: int) -> float:
    module_name, _, attribute = handler_path.partition(":")
    handler = getattr(importlib.import_module(module_name), attribute)
    event, context = load_event(), LambdaContext()
    response = handler(event, context)
    if response["statusCode"] != 200:
        raise RuntimeError(f"{handler_path} answered {response}")
    rounds = timeit.repeat(lambda: handler(event, context), number=number, repeat=repeat)
    return min(rounds) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="invokes per round")
    parser.add_argument("--repeat", type=int, default=7, help="rounds; the best one counts")
    args = parser.parse_args()
    sys.path[:0] = [str(APPS), str(REPO_ROOT)]
    os.chdir(APPS)
    figures = {}
    for contender in CONTENDERS:
        os.environ.update(dict(contender.environment))
        figures[contender.name] = measure(contender.handler, args.number, args.repeat)
    print_table("Warm dispatch, GET with validation (best of rounds)", "µs per invoke", figures)


if __name__ == "__main__":
    main()
