"""`servey-local [--app MODULE | --assembly CDK_OUT] [--host HOST] [--port PORT] [--reload] [--state FILE]`.

Serves an app; its queues' messages are kept in `--state` (`.servey/state.sqlite3` of the
folder it runs from, or `SERVEY_LOCAL_STATE`), so a restart loses none.

With `--assembly`, what `cdk synth` wrote is served instead of the source tree: each
function runs from its code asset and layer in a sandbox, against moto on loopback.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from local_runtime.login import PASSWORD_VARIABLE
from local_runtime.queue_store import STATE_VARIABLE, state_file
from local_runtime.websocket_protocol import MAX_MESSAGE_BYTES, LimitedWebSocketProtocol
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, load_spec
from servey_cdk.errors import AppDefinitionError

APP_FACTORY = "local_runtime.reload:create_reloaded_app"
# uvicorn held to API Gateway's websocket limits (local_runtime.websocket_protocol).
AWS_LIMITS: dict[str, Any] = {"ws": LimitedWebSocketProtocol, "ws_max_size": MAX_MESSAGE_BYTES}


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="servey-local", description=__doc__)
    parser.add_argument("--app", help="the app's module (default: SERVEY_ACTION_PATH, else 'actions')")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVER_PORT", "8000")))
    parser.add_argument("--reload", action="store_true", help="restart when the code changes")
    parser.add_argument(
        "--state", metavar="FILE", help=f"the queues' SQLite file (default: {STATE_VARIABLE}, else .servey/)"
    )
    parser.add_argument(
        "--assembly", metavar="CDK_OUT", help="serve this cloud assembly's functions, each in its sandbox"
    )
    parser.add_argument("--stack", help="the assembly's stack to serve (default: its only one)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="set in every sandbox (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.assembly:
        if args.reload or args.app or args.state:
            parser.error("--assembly serves what was synthesized: it takes no --app, --reload or --state")
        raise SystemExit(serve_assembly(args))
    if args.app:
        os.environ["SERVEY_ACTION_PATH"] = args.app
    if args.state:  # in the environment, as the app is, for the reloaded server
        os.environ[STATE_VARIABLE] = str(Path(args.state).resolve())
    # Kept in the environment so that a reloaded server keeps the password and the tokens stay valid.
    os.environ.setdefault(PASSWORD_VARIABLE, secrets.token_urlsafe(12))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(32))
    try:
        spec = load_spec(args.app, BuildSettings.from_environment())
    except AppDefinitionError as error:  # one clear message, as the servey command gives
        raise SystemExit(f"servey-local: the app cannot be served as written:\n{error}") from None
    except ModuleNotFoundError as error:
        raise SystemExit(f"servey-local: {error}") from None
    shown = banner(spec, f"{args.host}:{args.port}", os.environ[PASSWORD_VARIABLE])
    print(f"{shown}\n  State          {state_file().parent}/ (queues, tables, buckets)", flush=True)
    if args.reload:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=args.host,
            port=args.port,
            reload=True,
            reload_dirs=[spec.root, os.getcwd()],
            **AWS_LIMITS,
        )
    else:
        from local_runtime.app import create_app

        uvicorn.run(create_app(args.app), host=args.host, port=args.port, **AWS_LIMITS)


def serve_assembly(args: argparse.Namespace) -> int:
    import uvicorn

    from local_runtime.assembly import assembly_runtime
    from servey_cdk.packages import default_cache_dir
    from servey_cdk.rehearsal.assembly import AssemblyError, read_assembly

    try:
        every = read_assembly(Path(args.assembly))
        stacks = [stack for stack in every if args.stack in (None, stack.name)]
        if len(stacks) != 1:
            names = ", ".join(stack.name for stack in every) or "none"
            wanted = f"no stack {args.stack!r}" if args.stack else "several stacks; choose one with --stack"
            raise AssemblyError(f"{args.assembly} has {wanted} (stacks: {names})")
        # uvicorn re-raises SIGTERM once it has shut down: as SystemExit it unwinds the block below,
        # so moto's server and the sandboxes end with servey-local instead of outliving it.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        password = os.environ.setdefault(PASSWORD_VARIABLE, secrets.token_urlsafe(12))
        environment = dict(item.partition("=")[::2] for item in args.env)
        with assembly_runtime(stacks[0], default_cache_dir(), environment, password) as runtime:
            address = f"{args.host}:{args.port}"
            source = f"assembly {args.assembly}, stack {stacks[0].name}"
            print(banner(runtime.spec, address, password, source), flush=True)
            uvicorn.run(runtime.app, host=args.host, port=args.port, **AWS_LIMITS)
    except AssemblyError as error:
        print(f"servey-local: {error}", file=sys.stderr)
        return 1
    return 0


def _exit_on_signal(signum: int, _: object) -> None:
    raise SystemExit(128 + signum)


def banner(spec: AppSpec, address: str, password: str, source: str | None = None) -> str:
    base = f"http://{address}"
    schedules = ", ".join(schedule.name for schedule in spec.schedules)
    lines = [
        f"servey-local: {spec.app_module}" + (f" ({source})" if source else ""),
        f"  Dashboard      {base}/_servey",
        f"  REST docs      {base}/docs",
        f"  OpenAPI        {base}/openapi.json",
    ]
    if spec.graphql is not None:
        lines += [f"  GraphQL        {base}/graphql", f"  GraphiQL       {base}/graphiql"]
    lines.append(f"  AsyncAPI       {base}/asyncapi.json")
    if spec.websocket_enabled:
        lines.append(f"  Websocket      ws://{address}/ws")
    lines += [
        f"  Login          {base}/login  (any user name; password: {password})",
        f"  Queues         {base}/_servey/queues",
        f"  Schedules      POST {base}/_servey/schedules/<name>  ({schedules or 'none'})",
    ]
    if spec.sns_triggers:
        topics = ", ".join(dict.fromkeys(trigger.topic for trigger in spec.sns_triggers))
        lines.append(f"  Topics         POST {base}/_servey/topics/<name>  ({topics})")
    if spec.s3_triggers:
        buckets = ", ".join(dict.fromkeys(trigger.bucket for trigger in spec.s3_triggers))
        lines.append(f"  Buckets        PUT|DELETE {base}/_servey/buckets/<bucket>/<key>  ({buckets})")
    if spec.tables or spec.buckets:
        held = [f"tables {', '.join(t.name for t in spec.tables)}"] if spec.tables else []
        held += [f"buckets {', '.join(b.name for b in spec.buckets)}"] if spec.buckets else []
        lines.append(f"  Tables         {base}/_servey/tables  ({'; '.join(held)}, on a local AWS)")
    if spec.secrets:
        names = ", ".join(secret.name for secret in spec.secrets)
        lines.append(f"  Secrets        {names}: SERVEY_LOCAL_SECRET_<NAME>, else .servey/secrets.json")
    lines += [f"  Page           {base}{page.path}" for page in spec.pages]
    if spec.static is not None:
        lines.append(f"  Static files   {base}/static/")
        fallback = spec.static.spa_fallback
        shown = f"static/{fallback} for other paths" if fallback else "off (SERVEY_SPA_FALLBACK)"
        lines.append(f"  SPA fallback   {shown}")
    return "\n".join(lines)
