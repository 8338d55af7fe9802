"""`servey`: make a project, list and run its actions, and write the app's spec and schema documents.

A user's mistake (bad parameters, an unknown action, an app AWS cannot deploy) is
reported on stderr with a non-zero exit, never with a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.authorization import Authorization
from servey_cdk.discovery import Registry, discover, duplicate_names
from servey_cdk.errors import ActionFailed, AppDefinitionError, ServeyError, Unauthorized
from servey_cdk.event_bus import recording_event_sender
from servey_cdk.subscriptions import recording_publisher

APP_HELP = "the app's module (default: $SERVEY_ACTION_PATH, else 'actions')"
CALLER_HINT = "run it as a caller: --token TOKEN, or --as USER --scopes SCOPE,SCOPE"
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(_parser().parse_args(argv))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return code
    except BrokenPipeError:  # the reader took what it wanted (`servey list | head -1`): not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush is quiet
        return 0
    except KeyboardInterrupt:  # Ctrl-C: the shell's status for SIGINT, and no traceback
        return INTERRUPTED


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command in (_rehearse, _init):  # the assembly, or the folder, says everything: no app
            if args.app is not None:
                taken_from = "the assembly, which `cdk synth` made" if args.command is _rehearse else "DIR"
                print(f"error: --app is not taken here: the app comes from {taken_from}", file=sys.stderr)
                return 2
            return int(args.command(args))
        registry = discover(args.app)
        duplicates = duplicate_names(registry.actions)
        if duplicates and args.command in (_list, _run):  # the documents report them with every other problem
            raise AppDefinitionError(duplicates)
        return int(args.command(registry, args))
    except AppDefinitionError as error:
        print(f"the app cannot be deployed as written:\n{error}", file=sys.stderr)
    except ModuleNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
    except ActionFailed as error:
        cause = error.__cause__
        print(f"error: {error.message}\ncause: {type(cause).__name__}: {cause}", file=sys.stderr)
    except Unauthorized as error:
        print(f"error ({error.status} {error.code}): {error.message}; {CALLER_HINT}", file=sys.stderr)
    except ServeyError as error:
        print(f"error ({error.status} {error.code}): {error.message}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servey", description=__doc__.splitlines()[0])
    parser.add_argument("--app", help=APP_HELP)
    # `--app` after the command too: SUPPRESS keeps the one given before it when none is given after.
    app = argparse.ArgumentParser(add_help=False)
    app.add_argument("--app", default=argparse.SUPPRESS, help=APP_HELP)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    listing = commands.add_parser("list", parents=[app], help="list the app's actions and their triggers")
    listing.set_defaults(command=_list)

    run = commands.add_parser("run", parents=[app], help="run an action and print its result as JSON")
    run.add_argument("name", help="the action's name")
    run.add_argument("--params", default="{}", help='parameters as a JSON object, e.g. \'{"name": "World"}\'')
    caller = run.add_mutually_exclusive_group()
    caller.add_argument("--token", help="call as the holder of this token (verified as the app verifies one)")
    caller.add_argument("--as", dest="subject", metavar="USER", help="call as this user, with --scopes")
    run.add_argument("--scopes", default="", help="with --as: the caller's scopes, e.g. 'root,items:write'")
    run.set_defaults(command=_run)

    init = commands.add_parser(
        "init", parents=[app], help="make a new project in DIR: an action, its CDK app and its tests"
    )
    init.add_argument("directory", metavar="DIR", help="the project's folder: new, or empty")
    init.set_defaults(command=_init)

    rehearse = commands.add_parser(
        "rehearse",
        parents=[app],
        help="run a synthesized cloud assembly's functions from their assets, against a local AWS",
    )
    rehearse.add_argument("--assembly", default="cdk.out", help="the cloud assembly (default: cdk.out)")
    rehearse.add_argument("--stack", help="the stack to rehearse (default: each stack in turn)")
    rehearse.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="set in every function's environment"
    )
    rehearse.add_argument("--login", metavar="USER:PASSWORD", help="credentials for the app's token action")
    rehearse.set_defaults(command=_rehearse)

    documents: dict[str, tuple[str, Callable[[AppSpec], str]]] = {
        "openapi": ("the OpenAPI 3.1 document (JSON)", _openapi),
        "graphql-schema": ("the AppSync GraphQL schema (SDL)", _graphql),
        "asyncapi": ("the AsyncAPI 3.0 document of the subscriptions (JSON)", _asyncapi),
        "spec": ("the AppSpec the constructs and the emulator are built from (JSON)", _spec),
    }
    for name, (description, render) in documents.items():
        document = commands.add_parser(name, parents=[app], help=f"print {description}")
        document.add_argument("-o", "--output", help="write to this file instead of stdout")
        document.set_defaults(command=_document(render))
    return parser


def _list(registry: Registry, args: argparse.Namespace) -> int:
    width = max((len(action.name) for action in registry.actions), default=0)
    for action in registry.actions:
        triggers = ", ".join(_describe(trigger) for trigger in action.triggers) or "-"
        print(f"{action.name:<{width}}  {triggers}")
    return 0


def _describe(trigger: Any) -> str:
    values = {key: getattr(value, "name", value) for key, value in vars(trigger).items() if value is not None}
    fields = ", ".join(f"{key}={value!r}" for key, value in values.items())
    return f"{type(trigger).__name__}({fields})"


def _run(registry: Registry, args: argparse.Namespace) -> int:
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as error:
        print(f"error: --params is not JSON: {error}", file=sys.stderr)
        return 2
    if not isinstance(params, dict):
        print("error: --params must be a JSON object", file=sys.stderr)
        return 2
    if args.scopes and args.subject is None:
        print("error: --scopes goes with --as USER", file=sys.stderr)
        return 2
    runner = registry.runner(args.name)
    authorization = _caller(args)
    # What the action publishes or puts is shown, not sent; the resources it uses are a fresh local AWS.
    from servey_cdk.local_aws.backend import declared_resources

    with (
        declared_resources(build_spec(registry)),
        recording_publisher() as recorder,
        recording_event_sender(registry) as events,
    ):
        request_id = str(uuid.uuid4())
        result = runner.invoke(params, authorization=authorization, source="cli", request_id=request_id)
    print(runner.dump_json(result).decode())
    for subscription, event, connection in recorder.deliveries:
        to = f" (connection {connection})" if connection else ""
        print(f"published to {subscription}{to}: {json.dumps(event)}", file=sys.stderr)
    for entry in events.entries:
        put = f"put on bus {entry.bus}: {entry.detail_type} from {entry.source}: {entry.detail}"
        print(put, file=sys.stderr)
    return 0


def _caller(args: argparse.Namespace) -> Authorization | None:
    """Who runs the action: the holder of `--token`, or of a token minted for `--as`, or no one.

    `--as` mints its token with the app's own token settings and verifies it as `--token`
    would, so the action sees exactly the authorization a real caller's token gives.
    """
    from servey_cdk.kms_tokens import token_signer_from_environment, token_verifier_from_environment

    token = args.token
    if args.subject is not None:
        token = token_signer_from_environment().issue(args.subject, args.scopes.replace(",", " ").split())
    return None if token is None else token_verifier_from_environment().verify(token)


def _init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from servey_cdk.scaffold import ScaffoldError, init_project, package_name

    folder = Path(args.directory)
    try:
        written = init_project(folder)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"created {path}")
    print(f"next: cd {folder} && servey-local --app {package_name(folder.resolve().name)}; pytest")
    return 0


def _rehearse(args: argparse.Namespace) -> int:
    from pathlib import Path

    from servey_cdk.packages import default_cache_dir
    from servey_cdk.rehearsal import Login, rehearse
    from servey_cdk.rehearsal.assembly import AssemblyError, read_assembly

    try:
        stacks = [s for s in read_assembly(Path(args.assembly)) if args.stack in (None, s.name)]
    except AssemblyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not stacks:
        print(f"error: no stack {args.stack!r} in {args.assembly}", file=sys.stderr)
        return 1
    environment = dict(item.partition("=")[::2] for item in args.env)
    login = Login(*args.login.split(":", 1)) if args.login and ":" in args.login else None
    passed = True
    for stack in stacks:
        report = rehearse(stack, default_cache_dir(), environment, login)
        print(report.text(), flush=True)
        passed = passed and report.passed
    return 0 if passed else 1


def _document(render: Callable[[AppSpec], str]) -> Callable[[Registry, argparse.Namespace], int]:
    def write(registry: Registry, args: argparse.Namespace) -> int:
        text = render(build_spec(registry, BuildSettings.from_environment()))
        if args.output:
            with open(args.output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            sys.stdout.write(text)
        return 0

    return write


def _openapi(spec: AppSpec) -> str:
    from servey_cdk.openapi import openapi_document

    return json.dumps(openapi_document(spec), indent=2) + "\n"


def _graphql(spec: AppSpec) -> str:
    return spec.graphql.sdl if spec.graphql else ""


def _asyncapi(spec: AppSpec) -> str:
    from servey_cdk.asyncapi import asyncapi_document

    return json.dumps(asyncapi_document(spec), indent=2) + "\n"


def _spec(spec: AppSpec) -> str:
    return spec.to_json() + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
