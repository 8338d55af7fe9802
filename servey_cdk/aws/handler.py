"""The entry point of every Lambda function: `servey_cdk.aws.handler.handler`.

`SERVEY_ACTION_PATH` names the app and `SERVEY_ACTION` the function's own action;
without it the function is the router for every action. The app is discovered on
the first event and kept for the life of the process. Each event is recognised by
its shape and handed to the adapter of its source, imported and made on first use,
so a function pays at start-up only for the sources it receives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from servey_cdk.aws.logs import RuntimeLog, instrument
from servey_cdk.aws.runtime import Runtime
from servey_cdk.discovery import Registry, discover

if TYPE_CHECKING:
    from servey_cdk.aws.appsync import AppSyncAdapter
    from servey_cdk.aws.invoke import InvokeAdapter
    from servey_cdk.aws.rest import RestAdapter
    from servey_cdk.aws.s3 import S3Adapter
    from servey_cdk.aws.schedule import ScheduleAdapter
    from servey_cdk.aws.sqs import SqsAdapter
    from servey_cdk.aws.websocket import ConnectionStore, WebSocketAdapter

SCHEDULE_KEY = "servey_schedule"  # the input our EventBridge Scheduler schedules send


class UnrecognizedEvent(ValueError):
    """An event of no source this handler knows."""


class LambdaApp:
    """An app made ready to handle Lambda events; `handle` is the Lambda handler."""

    def __init__(
        self,
        registry: Registry,
        action: str | None = None,
        connections: ConnectionStore | None = None,
    ) -> None:
        self.log = RuntimeLog(service=registry.module)
        self.runtime = Runtime(registry, action, self.log)
        self.connections = connections
        self._cold = True
        self.handle = instrument(self._handle, self.log.service)

    @classmethod
    def from_environment(cls) -> LambdaApp:
        registry, connections = discover(), None
        if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:  # on Lambda: connections in DynamoDB, events to SQS
            from servey_cdk.aws.dynamodb_connections import DynamoDBConnectionStore
            from servey_cdk.aws.publisher import AwsPublisher
            from servey_cdk.subscription import set_publisher

            connections = DynamoDBConnectionStore.from_environment()
            set_publisher(AwsPublisher.from_environment(registry, connections))
        return cls(registry, os.environ.get("SERVEY_ACTION") or None, connections)

    @cached_property
    def rest(self) -> RestAdapter:
        from servey_cdk.aws.rest import RestAdapter

        return RestAdapter(self.runtime)

    @cached_property
    def appsync(self) -> AppSyncAdapter:
        from servey_cdk.aws.appsync import AppSyncAdapter

        return AppSyncAdapter(self.runtime)

    @cached_property
    def sqs(self) -> SqsAdapter:
        from servey_cdk.aws.sqs import SqsAdapter

        return SqsAdapter(self.runtime)

    @cached_property
    def s3(self) -> S3Adapter:
        from servey_cdk.aws.s3 import S3Adapter

        return S3Adapter(self.runtime)

    @cached_property
    def schedule(self) -> ScheduleAdapter:
        from servey_cdk.aws.schedule import ScheduleAdapter

        return ScheduleAdapter(self.runtime)

    @cached_property
    def websocket(self) -> WebSocketAdapter:
        from servey_cdk.aws.websocket import InMemoryConnectionStore, WebSocketAdapter

        return WebSocketAdapter(self.runtime, self.connections or InMemoryConnectionStore())

    @cached_property
    def invoke(self) -> InvokeAdapter:
        from servey_cdk.aws.invoke import InvokeAdapter

        return InvokeAdapter(self.runtime)

    def _handle(self, event: Any, context: Any) -> Any:
        request_id = getattr(context, "aws_request_id", None) or os.urandom(16).hex()
        self.log.begin(context, request_id, self._cold)
        self._cold = False
        if type(event) is not dict:
            if isinstance(event, list):
                return self.appsync.resolve_batch(event, request_id)
            if not isinstance(event, Mapping):
                raise UnrecognizedEvent(
                    f"a Lambda event must be a JSON object or list, not {type(event).__name__}"
                )
        if "httpMethod" in event and "resource" in event:
            return self.rest.handle_v1(event, request_id)
        if event.get("version") == "2.0" and "routeKey" in event:
            return self.rest.handle_v2(event, request_id)
        if "info" in event and "arguments" in event:
            return self.appsync.resolve(event, request_id)
        if "authorizationToken" in event and "requestContext" in event:
            return self.appsync.authorize(event)
        if "eventType" in (event.get("requestContext") or {}):
            return self.websocket.handle(event, request_id)
        records = event.get("Records")
        if records:
            source = records[0].get("eventSource")
            if source == "aws:sqs":
                return self.sqs.handle(event, request_id)
            if source == "aws:s3":
                return self.s3.handle(event, request_id)
        if event.get("detail-type") == "Scheduled Event" or SCHEDULE_KEY in event:
            return self.schedule.handle(event, request_id)
        if "action" in event or "params" in event:
            return self.invoke.handle(event, request_id)
        raise UnrecognizedEvent(f"no event source has the keys {sorted(event)[:10]}")


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
