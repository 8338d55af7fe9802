"""`servey-local --assembly cdk.out`: the emulator over what will deploy, each function in its sandbox.

The AppSpec comes from the code asset (`servey-spec.json`), and every function runs
from its code asset and layer in the rehearsal's sandbox, with the template's
environment resolved against moto's server on loopback. So the functions keep their
websocket connections in the stack's DynamoDB table, publish to its SQS queues, and
verify KMS-signed tokens, as on AWS. The emulator's part is what API Gateway, AppSync,
EventBridge and Lambda's pollers do: it turns requests into events, receives each
queue's messages as its event source mapping does, delivers what the functions publish
to moto's topics and put on its buses to the subscribed functions and the rules'
targets (`assembly_taps`), and serves the `@connections` API that the functions post
to, delivering to the open sockets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from local_runtime.app import LocalRuntime
from local_runtime.assembly_taps import TapPollers, stack_taps
from local_runtime.connections import ConnectionTable
from local_runtime.invocation_log import add_sandbox_output
from local_runtime.invoker import FunctionError, FunctionInvoker
from local_runtime.lambda_context import LambdaContext
from local_runtime.queues import failed_message_ids
from local_runtime.types import Queue
from servey_cdk.appspec import AppSpec
from servey_cdk.kms_tokens import TokenSigner
from servey_cdk.rehearsal.assembly import AssemblyError, StackAssembly
from servey_cdk.rehearsal.events import sqs_event
from servey_cdk.rehearsal.local_aws import LocalAws, moto_server
from servey_cdk.rehearsal.management_api import ManagementApi
from servey_cdk.rehearsal.sandbox import Answer, Sandbox
from servey_cdk.rehearsal.tokens import stack_token_signer
from servey_cdk.rehearsal.wiring import wires_of
from servey_cdk.tokens import Hs256TokenSigner, TokenSettings
from servey_cdk.wire import HANDLER, SPEC_FILE

log = logging.getLogger(__name__)
QUEUE_WAIT_S = 1  # each receive long-polls this long, so a stop is never kept waiting


class SandboxPool:
    """A function's sandboxes: an idle one takes each invocation, else a new one starts, as Lambda scales."""

    def __init__(self, first: Sandbox) -> None:
        self.first = first
        self._idle = [first]
        self._all = [first]
        self._lock = threading.Lock()

    def invoke(self, event: Any) -> Answer:
        with self._lock:
            if self._idle:
                sandbox = self._idle.pop()
            else:
                sandbox = dataclasses.replace(self.first, log=[], _process=None)
                self._all.append(sandbox)
        answer = sandbox.invoke(event)  # a timeout ends the sandbox and raises: it is not reused
        del sandbox.log[:]  # `answer.log` has this invocation's lines
        with self._lock:
            self._idle.append(sandbox)
        return answer

    def stop(self) -> None:
        for sandbox in self._all:
            sandbox.stop()


class SandboxHandler:
    """The emulator's `handler(event, context)`: the event goes to the sandboxes of `context`'s function."""

    def __init__(self, pools: dict[str, SandboxPool]) -> None:
        self.pools = pools

    def __call__(self, event: Any, context: LambdaContext) -> Any:
        pool = self.pools.get(context.function_name)
        if pool is None:
            raise FunctionError(
                "ResourceNotFoundException", f"the stack has no function {context.function_name}"
            )
        answer = pool.invoke(event)
        if answer.log:
            add_sandbox_output(answer.log)  # the dashboard shows the lines with their invocation
            sys.stderr.write(
                "".join(f"[{context.function_name}] {line}" for line in answer.log.splitlines(True))
            )
        if answer.error is not None:
            raise FunctionError(str(answer.error.get("errorType")), str(answer.error.get("errorMessage")))
        return answer.result


class SqsQueue:
    """A queue of the stack, in moto, polled as its event source mapping polls it.

    What the function reports in `batchItemFailures` (all of it, when it fails) stays
    in the queue and comes back after the visibility timeout; the queue's redrive
    policy moves a message received too often to its dead-letter queue.
    """

    def __init__(
        self, aws: LocalAws, queue: dict[str, Any], function: str, batch_size: int, invoker: FunctionInvoker
    ) -> None:
        self.sqs = aws.client("sqs")
        self.queue = queue
        self.function = function
        self.batch_size = batch_size
        self.invoker = invoker

    async def run(self) -> None:
        while True:
            received = await asyncio.to_thread(self._receive)
            if received:
                await self._deliver(received)

    def _receive(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue["QueueUrl"],
            MaxNumberOfMessages=min(10, self.batch_size),
            WaitTimeSeconds=QUEUE_WAIT_S,
            AttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    async def _deliver(self, received: list[dict[str, Any]]) -> None:
        try:
            result = await self.invoker.invoke(self.function, sqs_event(self.queue["Arn"], received))
        except Exception:
            log.exception("queue %s: the function failed; the batch will be retried", self.queue["QueueName"])
            return
        failed = failed_message_ids(result, {message["MessageId"] for message in received})
        for message in received:
            if message["MessageId"] not in failed:
                await asyncio.to_thread(
                    self.sqs.delete_message,
                    QueueUrl=self.queue["QueueUrl"],
                    ReceiptHandle=message["ReceiptHandle"],
                )

    def to_dict(self) -> dict[str, Any]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "RedrivePolicy"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue["QueueUrl"], AttributeNames=names)[
            "Attributes"
        ]
        return {
            "name": self.queue["QueueName"],
            "function": self.function,
            "arn": self.queue["Arn"],
            "url": self.queue["QueueUrl"],
            "depth": int(attributes.get("ApproximateNumberOfMessages", 0)),
            "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            "dead_letter_depth": self._dead_letter_depth(attributes.get("RedrivePolicy")),
        }

    def _dead_letter_depth(self, policy: str | None) -> int | None:
        if not policy:
            return None
        name = json.loads(policy)["deadLetterTargetArn"].rpartition(":")[2]
        url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


class LiveConnections:
    """What the `@connections` stand-in posts to: the emulator's open websockets."""

    def __init__(self) -> None:
        self.table: ConnectionTable | None = None  # the runtime's, once it is made

    def post(self, connection_id: str, data: bytes) -> bool:
        if self.table is None or connection_id not in self.table:
            return False
        return not self.table.post_to_connections([connection_id], data.decode("utf-8", "replace"))

    def close(self, connection_id: str) -> None:
        if self.table is not None:
            self.table.close_from_thread(connection_id)


@contextmanager
def assembly_runtime(
    stack: StackAssembly, cache: Path, environment: dict[str, str], password: str | None = None
) -> Iterator[LocalRuntime]:
    """The emulator over `stack`'s sandboxes; moto, the sandboxes and their files end with the block."""
    with ExitStack() as resources:
        work = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="servey-local-")))
        endpoint = resources.enter_context(moto_server())
        sockets = LiveConnections()
        management = ManagementApi(sockets)
        resources.callback(management.close)
        aws = LocalAws(stack, endpoint, management.url)
        pools: dict[str, SandboxPool] = {}
        resources.callback(_stop_all, pools)
        names: dict[str, str] = {}  # logical id → FunctionSpec
        variables: dict[str, str] = {}  # every function's environment, resolved
        for function in stack.functions():
            if function.handler != HANDLER or function.name is None:
                continue
            resolved = {
                **aws.resolve_environment(function.environment),
                **environment,
                "AWS_ENDPOINT_URL": aws.endpoint,
            }
            variables |= resolved
            pools[function.name] = SandboxPool(Sandbox.lay_out(function, resolved, work, cache))
            names[function.logical_id] = function.name
        if not pools:
            raise AssemblyError(f"stack {stack.name} has no servey-cdk function")
        first = next(iter(pools.values())).first
        spec = code_asset_spec(first.paths[0])
        _check_functions(stack, spec, pools)
        aws.seed_tables({table.name: table.seed for table in spec.tables}, variables)
        for note in sorted({note for pool in pools.values() for note in pool.first.notes}):
            print(f"servey-local: {note}", file=sys.stderr)

        def queues(invoker: FunctionInvoker) -> dict[str, Queue]:
            found: dict[str, Queue] = {}
            for wire in wires_of(stack):
                if wire.kind == "queue" and wire.function in names:
                    queue = aws.values[wire.detail["queue"]]
                    found[queue["QueueName"]] = SqsQueue(
                        aws, queue, names[wire.function], wire.detail["batch_size"], invoker
                    )
            return found

        runtime = LocalRuntime(spec, SandboxHandler(pools), None, token_signer(pools, aws), password, queues)
        sockets.table = runtime.connections
        taps = stack_taps(stack, aws, names, runtime.topics.invocations, runtime.events.invocations)
        resources.callback(TapPollers(aws.client("sqs"), taps).stop)
        yield runtime


def code_asset_spec(code: Path) -> AppSpec:
    """The AppSpec a code asset carries, its root and static files moved to where the asset has them."""
    spec_file = code / SPEC_FILE
    if not spec_file.is_file():
        raise AssemblyError(f"the code asset {code} has no {SPEC_FILE}: synthesize it with this servey-cdk")
    spec = AppSpec.from_dict(json.loads(spec_file.read_text(encoding="utf-8")))
    package = code / spec.app_module.partition(".")[0]
    root = package if package.is_dir() else code
    static = spec.static
    if static is not None:
        static = dataclasses.replace(static, directory=str(root / static.directory))
    return dataclasses.replace(spec, root=str(root), static=static)


def token_signer(pools: dict[str, SandboxPool], aws: LocalAws) -> TokenSigner:
    """The debug login's signer: the stack's KMS key in moto, as the functions verify with."""
    signer = stack_token_signer(aws, (pool.first.environment for pool in pools.values()))
    return signer or Hs256TokenSigner(TokenSettings.from_environment())


def _stop_all(pools: dict[str, SandboxPool]) -> None:
    for pool in pools.values():
        pool.stop()


def _check_functions(stack: StackAssembly, spec: AppSpec, pools: dict[str, SandboxPool]) -> None:
    wanted = [function.name for function in spec.functions]
    missing = [name for name in wanted if name not in pools]
    if missing:
        raise AssemblyError(
            f"stack {stack.name} has no function for {', '.join(missing)} of the app's spec "
            "(is the assembly from an older synth?)"
        )
