"""The entry point of every Lambda function: `servey_cdk.aws.handler.handler`.

The code asset carries the app's AppSpec (`servey-spec.json`); `SERVEY_FUNCTION`
names the function of it this one runs, and `SERVEY_ACTION_PATH` the app whose code
it runs. Both are read on the first event and kept for the life of the process. Each
event goes to the first source plug-in the function claims that recognises it
(`servey_cdk.aws.sources`), each made when an event first reaches it, so a function
that only ever gets REST events imports no other adapter. An event of no claimed
source is logged and refused.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servey_cdk.aws.logs import RuntimeLog, instrument, join_lambda_runtime_logging
from servey_cdk.aws.runtime import Runtime, ShippedSpec
from servey_cdk.aws.sources import EventSource, claimed_sources
from servey_cdk.discovery import Registry, discover
from servey_cdk.wire import CONNECTIONS_TABLE, FUNCTION, SPEC_FILE

if TYPE_CHECKING:
    from servey_cdk.appspec import AppSpec
    from servey_cdk.aws.websocket import ConnectionStore


class UnrecognizedEvent(ValueError):
    """An event of no source this function claims."""


class LambdaApp:
    """An app made ready to handle Lambda events; `handle` is the Lambda handler.

    `spec` is the app's AppSpec, or its JSON form as the code asset gives it on Lambda;
    without one it is built from `registry`, as far as it can be. `function` names the
    FunctionSpec this process runs, or is None for the whole app.
    """

    def __init__(
        self,
        registry: Registry,
        function: str | None = None,
        connections: ConnectionStore | None = None,
        spec: AppSpec | ShippedSpec | None = None,
    ) -> None:
        if spec is None:
            from servey_cdk.appspec_builder import build_spec

            spec = build_spec(registry, check=False)
        shipped = spec if isinstance(spec, Mapping) else spec.to_dict()
        self.log = RuntimeLog(service=registry.module)
        self.runtime = Runtime(shipped, registry, function, self.log, connections)
        self._claimed = claimed_sources(shipped, function)
        self._sources: list[EventSource | None] = [None] * len(self._claimed)
        self._cold = True
        self.handle = instrument(self._handle, self.log.service)

    @property
    def connections(self) -> ConnectionStore | None:
        return self.runtime.connections

    @classmethod
    def from_environment(cls) -> LambdaApp:
        registry, connections = discover(), None
        spec_file = Path(__file__).parents[2] / SPEC_FILE  # the code asset's top, beside servey_cdk/
        spec: ShippedSpec | None = None
        if spec_file.is_file():
            spec = json.loads(spec_file.read_text(encoding="utf-8"))
        if spec is None:  # a code asset carries its spec: only an app run from its source builds one
            from servey_cdk.appspec_builder import build_spec

            spec = build_spec(registry, check=False).to_dict()
        if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:  # on Lambda: connections in DynamoDB, events to SQS
            connections = _lambda_connections()
            # Discovery imported every module of the app: one that no module imported, it cannot call.
            if "servey_cdk.subscriptions" in sys.modules:
                from servey_cdk.aws.publisher import AwsPublisher
                from servey_cdk.subscriptions import set_publisher

                set_publisher(AwsPublisher.from_environment(spec, connections))
            if "servey_cdk.event_bus" in sys.modules:
                from servey_cdk.aws.event_bus import AwsEventSender
                from servey_cdk.event_bus import set_event_sender

                set_event_sender(AwsEventSender.from_environment(spec))
            join_lambda_runtime_logging()
        return cls(registry, os.environ.get(FUNCTION) or None, connections, spec)

    def _handle(self, event: Any, context: Any) -> Any:
        request_id = getattr(context, "aws_request_id", None) or os.urandom(16).hex()
        self.log.begin(context, request_id, self._cold)
        self._cold = False
        try:
            sources = self._sources
            for index, source in enumerate(sources):
                if source is None:  # made when an event first gets this far: it imports its adapter then
                    source = sources[index] = self._claimed[index].make(self.runtime)
                if source.matches(event):
                    return source.handle(event, request_id)
            what = _shape(event)
            self.log.rejected(
                f"an event of no source this function claims arrived: {what}",
                claimed=[source.name for source in self._claimed],
            )
            raise UnrecognizedEvent(f"no source this function claims takes {what}")
        finally:
            self.log.end()


def _lambda_connections() -> ConnectionStore | None:
    """The websocket connections' store, where the constructs named its table."""
    if not os.environ.get(CONNECTIONS_TABLE):
        return None
    from servey_cdk.aws.dynamodb_connections import DynamoDBConnectionStore

    return DynamoDBConnectionStore.from_environment()


def _shape(event: Any) -> str:
    """What an event looks like, without any of its values: its type, and its keys or source."""
    if isinstance(event, dict):
        records = event.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            source = records[0].get("eventSource") or records[0].get("EventSource")
            return f"records of {str(source)[:64]!r}"
        keys = sorted(str(key)[:32] for key in event)[:10]
        return f"an object with keys {keys}"
    return f"a JSON {type(event).__name__}"


_default: list[LambdaApp] = []


def default_app() -> LambdaApp:
    """The app of this process, from the environment, made on the first event."""
    if not _default:
        _default.append(LambdaApp.from_environment())
    return _default[0]


def reset_default_app() -> None:
    """Forget the app of this process, so the next event discovers it again."""
    _default.clear()


def handler(event: Any, context: Any) -> Any:
    app = _default[0] if _default else default_app()
    return app.handle(event, context)
