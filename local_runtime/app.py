"""The emulator as one ASGI app: every API of the spec, each served through the Lambda handler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from local_runtime.buckets import LocalBuckets
from local_runtime.connections import ConnectionTable
from local_runtime.dashboard import Dashboard
from local_runtime.docs import (
    GRAPHIQL_FILES,
    graphiql_page,
    local_openapi_document,
    swagger_page,
    swagger_ui_files,
)
from local_runtime.events import LocalEvents
from local_runtime.graphql_api import GraphQLApi
from local_runtime.invoker import FunctionInvoker, running_function
from local_runtime.log_redaction import redact_uvicorn_logs
from local_runtime.login import DebugLogin, debug_password
from local_runtime.publisher import LocalPublisher
from local_runtime.queue_store import QueueStore, state_file
from local_runtime.queues import LocalQueue, orphaned_queues
from local_runtime.resource_browser import ResourceBrowser
from local_runtime.rest import RestApi
from local_runtime.schedules import Scheduler
from local_runtime.site import LocalSite
from local_runtime.table_streams import LocalStreams
from local_runtime.topics import LocalTopics
from local_runtime.types import Handler, Queue
from local_runtime.websocket_api import WebSocketApi
from local_runtime.websocket_protocol import MAX_URL_BYTES
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.asyncapi import asyncapi_document
from servey_cdk.aws.websocket import ConnectionStore, InMemoryConnectionStore
from servey_cdk.discovery import discover
from servey_cdk.event_bus import set_event_sender
from servey_cdk.kms_tokens import TokenSigner
from servey_cdk.local_aws.backend import LocalResources, running_local_aws
from servey_cdk.subscriptions import set_publisher
from servey_cdk.tokens import Hs256TokenSigner, TokenSettings

URI_TOO_LONG = JSONResponse({"message": "Request-URI Too Long"}, status_code=414)
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CATCH_ALL = "/{path:path}"


class LocalRuntime:
    """The parts of the emulator, kept for tests and debugging; `app` is what uvicorn serves.

    `store` is the connection store the handler keeps websocket subscriptions in
    (DynamoDB on AWS); the in-process publisher reads the subscribers from it. It is
    None when the functions run in processes of their own and publish themselves,
    to the `queues` made for the invoker, which replace the in-process ones. The
    in-process queues keep their messages in `queue_store` (in memory when none is given), as
    the topics, events and buckets keep their asynchronous invocations.

    `resources` is the local AWS of the app's declared tables, buckets, secrets and parameters
    (None when it declares none, or when the functions run in processes of their own against the
    stack's moto), made as the server starts and keeping what they hold in `resource_folder`
    (nothing is kept when it is None).
    """

    def __init__(
        self,
        spec: AppSpec,
        handler: Handler,
        store: ConnectionStore | None,
        signer: TokenSigner | None = None,
        password: str | None = None,
        queues: Callable[[FunctionInvoker], Mapping[str, Queue]] | None = None,
        queue_store: QueueStore | None = None,
        resource_folder: Path | None = None,
    ) -> None:
        self.spec = spec
        self.store = store
        self.signer = signer or Hs256TokenSigner(TokenSettings.from_environment())
        self.password = password or debug_password()
        self.invoker = FunctionInvoker(spec, handler)
        # The in-process queues, which the in-process publisher sends to; None when the functions publish.
        self.local_queues: dict[str, LocalQueue] | None = None
        self.queue_store: QueueStore | None = None
        self.queues: Mapping[str, Queue]
        if store is not None:
            self.queue_store = queue_store or QueueStore(":memory:")
            self.local_queues = {q.name: LocalQueue(q, self.invoker, self.queue_store) for q in spec.queues}
            self.queues = self.local_queues
        else:
            self.queues = queues(self.invoker) if queues is not None else {}
        self.scheduler = Scheduler(spec.schedules, self.invoker)
        self.topics = LocalTopics(spec, self.invoker)
        self.events = LocalEvents(spec, self.invoker)
        self.buckets = LocalBuckets(spec, self.invoker)
        self.streams = LocalStreams(spec, self.invoker)
        declares = spec.tables or spec.buckets or spec.secrets or spec.parameters
        self.resources = (
            LocalResources(spec, resource_folder, running_function)
            if declares and store is not None
            else None
        )
        self.connections = ConnectionTable()
        self.rest = RestApi(spec, self.invoker)
        self.login = DebugLogin(self.signer, self.password)
        self.site = Starlette(routes=self._routes(), lifespan=self._lifespan)
        # A path with a line break matches no route's pattern (`.` stops there): the catch-all takes it.
        self.site.router.default = cast(Route, self.site.routes[-1]).handle
        self.app = LocalApp(self.rest, self._fixed_api_paths(), self.site)

    def _routes(self) -> list[BaseRoute]:
        title = self.spec.app_module
        routes: list[BaseRoute] = [
            Route("/docs", lambda _: swagger_page(title)),
            Route("/docs/", lambda _: RedirectResponse("/docs", 308)),
            Mount("/docs/static", StaticFiles(directory=swagger_ui_files())),
            Route("/openapi.json", lambda _: JSONResponse(local_openapi_document(self.spec))),
            Route("/asyncapi.json", self._asyncapi),
            Route("/login", self.login.endpoint, methods=["POST"]),
            Route("/login", self.login.page, methods=["GET"]),
            *Dashboard(self).routes(),
            Route("/_servey/queues", self._queues),
            Route("/_servey/schedules/{name}", self._fire_schedule, methods=["POST"]),
            Route("/_servey/topics", lambda _: JSONResponse(self.topics.to_dict())),
            Route("/_servey/topics/{name}", self.topics.endpoint, methods=["POST"]),
            Route("/_servey/events", lambda _: JSONResponse(self.events.to_dict())),
            Route("/_servey/events", self.events.endpoint, methods=["POST"]),
            Route("/_servey/buckets", lambda _: JSONResponse(self.buckets.to_dict())),
            Route("/_servey/buckets/{bucket}/{key:path}", self.buckets.endpoint, methods=["PUT", "DELETE"]),
            *ResourceBrowser(self).routes(),
        ]
        if self.spec.graphql is not None:
            graphql = GraphQLApi(self.spec.graphql, self.invoker)
            routes += [
                Route("/graphql", graphql.endpoint, methods=["GET", "POST"]),
                Route("/graphiql", lambda _: graphiql_page(title)),
                Route("/graphiql/", lambda _: RedirectResponse("/graphiql", 308)),
                Mount("/graphiql/static", StaticFiles(directory=GRAPHIQL_FILES)),
            ]
        if self.spec.websocket_enabled:
            routes.append(WebSocketRoute("/ws", WebSocketApi(self.invoker, self.connections).endpoint))
        api = Route(CATCH_ALL, self.rest.respond, methods=ALL_METHODS)
        if self.spec.static is None:
            routes.append(api)
        else:
            routes += LocalSite(self.spec, self.spec.static, self.rest.respond).routes(ALL_METHODS)
        return routes

    def _fixed_api_paths(self) -> frozenset[str]:
        """The API's paths without parameters that none of the emulator's own routes takes."""
        own = [route for route in self.site.routes if getattr(route, "path", None) != CATCH_ALL]
        return frozenset(path for path in self.rest.literal if not _taken(path, own))

    @contextlib.asynccontextmanager
    async def _lifespan(self, _: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        redact_uvicorn_logs()  # here, after the server has configured its logging
        self.connections.bind(loop)
        state = self.queue_store or QueueStore(":memory:")  # none when the stack's moto holds the state
        for invocations in (self.events.invocations, self.topics.invocations, self.buckets.invocations):
            invocations.bind(loop, state)
        own = self.resources
        if own is not None:
            shared = running_local_aws()  # a test's, of the same app: this runtime serves its data
            using = shared if shared is not None and shared.names_by_kind() == own.names_by_kind() else own
            if using is own:
                await asyncio.to_thread(own.__enter__)
            self.resources = using
            self.buckets.watch(using, loop)
            await self.streams.start(using, state)
        previous_sender = set_event_sender(self.events) if self.store is not None else None
        if self.store is not None and self.local_queues is not None:
            publisher = LocalPublisher(self.spec, self.local_queues, self.store, self.connections)
            previous = set_publisher(publisher)
        workers = [asyncio.create_task(queue.run()) for queue in self.queues.values()]
        self.scheduler.start()
        try:
            yield
        finally:
            await self.scheduler.stop()
            await self.topics.invocations.stop()
            await self.buckets.invocations.stop()
            await self.events.invocations.stop()
            await self.streams.stop()
            if self.resources is not None:
                self.buckets.unwatch()
                if self.resources is own:
                    await asyncio.to_thread(own.__exit__, None, None, None)
                self.resources = own
            if previous_sender is not None:
                set_event_sender(previous_sender)
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            if self.local_queues is not None:
                set_publisher(previous)

    async def _asyncapi(self, request: Request) -> Response:
        return JSONResponse(asyncapi_document(self.spec, host=request.headers.get("host", "localhost:8000")))

    async def _queues(self, _: Request) -> Response:
        answer: dict[str, Any] = {"queues": [queue.to_dict() for queue in self.queues.values()]}
        if self.queue_store is not None:
            answer["orphaned"] = orphaned_queues(self.queue_store, self.queues)
        return JSONResponse(answer)

    async def _fire_schedule(self, request: Request) -> Response:
        """Run a schedule now, without waiting for its time."""
        schedule = self.scheduler.schedules.get(request.path_params["name"])
        if schedule is None:
            known = ", ".join(self.scheduler.schedules) or "none"
            return JSONResponse(
                {"error": "not_found", "detail": f"no schedule of that name (known: {known})"}, 404
            )
        try:
            result: Any = await self.scheduler.fire(schedule)
        except Exception as error:  # the function's error, as Lambda reports it
            return JSONResponse({"errorType": type(error).__name__, "errorMessage": str(error)}, 500)
        return JSONResponse({"schedule": schedule.name, "result": result})


class LocalApp:
    """What uvicorn serves: the API's fixed paths go straight to the API, everything else to Starlette.

    A fixed path is found with one set lookup and skips Starlette's middleware and
    routing, which cost more than the API's own work does. Paths with parameters go
    down Starlette's routes, which end in the API's catch-all, as do the fixed paths
    that the emulator's own routes (docs, login, pages, static files) take.
    """

    def __init__(self, api: RestApi, fixed_paths: frozenset[str], site: Starlette) -> None:
        self.api = api
        self.fixed_paths = fixed_paths
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _url_bytes(scope) > MAX_URL_BYTES:  # as CloudFront refuses it
            await URI_TOO_LONG(scope, receive, send)
        elif scope["type"] == "http" and scope["path"] in self.fixed_paths:
            await self.api(scope, receive, send)
        else:
            await self.site(scope, receive, send)


def _url_bytes(scope: Scope) -> int:
    path: bytes = scope.get("raw_path") or scope["path"].encode()
    return len(path) + 1 + len(scope.get("query_string", b""))


def _taken(path: str, routes: list[BaseRoute]) -> bool:
    """Whether one of `routes` would serve `path`, for some method."""
    scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    return any(route.matches(scope)[0] is not Match.NONE for route in routes)


def create_app(app_module: str | None = None) -> LocalApp:
    """The emulator of an app (`SERVEY_ACTION_PATH` when none is named), over its Lambda handler."""
    from servey_cdk.aws.handler import LambdaApp

    registry = discover(app_module)
    store = InMemoryConnectionStore()
    spec = build_spec(registry, BuildSettings.from_environment())
    handler = LambdaApp(registry, connections=store, spec=spec).handle
    state = state_file()
    return LocalRuntime(spec, handler, store, queue_store=QueueStore(state), resource_folder=state.parent).app
