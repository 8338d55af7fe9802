"""The dashboard at `/_servey`: the invocations, queues, schedules and connections of the emulator, live.

The page (one Jinja template, the app's map rendered in it) polls `/_servey/state`
each second for what changed: the invocations after the last one it has, and the
queues, schedules and connections as they are now. Buttons use the emulator's own
endpoints: `POST /_servey/schedules/<name>` fires a schedule, and
`POST /_servey/queues/<name>/redrive` (here) moves a queue's dead letters back to it.
Nothing is fetched from the internet: it works offline.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from local_runtime.log_redaction import redact_secrets
from local_runtime.queues import LocalQueue
from servey_cdk.appspec import AppSpec
from servey_cdk.authorization import Authorization
from servey_cdk.aws.websocket import InMemoryConnectionStore

if TYPE_CHECKING:
    from local_runtime.app import LocalRuntime

HERE = Path(__file__).parent
SCRIPT = HERE / "static" / "dashboard" / "dashboard.js"
MAX_BODY = 500  # characters of a dead letter's body shown


class Dashboard:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
        self.template = templates.get_template("dashboard.html")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/_servey", self.page),
            Route("/_servey/", lambda _: RedirectResponse("/_servey", 308)),
            Route("/_servey/dashboard.js", lambda _: FileResponse(SCRIPT, media_type="text/javascript")),
            Route("/_servey/state", self.state),
            Route("/_servey/queues/{name}/redrive", self.redrive, methods=["POST"]),
        ]

    async def page(self, _: Request) -> Response:
        spec = self.runtime.spec
        return HTMLResponse(
            self.template.render(app=spec.app_module, actions=app_map(spec), graphql=spec.graphql)
        )

    async def state(self, request: Request) -> Response:
        """What changed since the invocation numbered `?since=` (0: every invocation kept)."""
        since = request.query_params.get("since", "0")
        if not since.isdigit():
            return JSONResponse(
                {"error": "invalid_input", "detail": f"since must be a number, not {since!r}"}, 422
            )
        runtime = self.runtime
        schedules = runtime.scheduler
        invocations = runtime.invoker.invocation_log
        return JSONResponse(
            {
                "latest": invocations.latest,
                "invocations": await asyncio.to_thread(invocations.since, int(since)),
                "queues": [_queue(name, queue.to_dict()) for name, queue in runtime.queues.items()],
                "schedules": [
                    {
                        "name": schedule.name,
                        "action": schedule.action,
                        "expression": schedule.expression,
                        "timezone": schedule.timezone,
                        "next": _iso(schedules.next_fires.get(schedule.name)),
                    }
                    for schedule in schedules.schedules.values()
                ],
                "connections": self._connections(),
                "resources": self._resources(),
            }
        )

    async def redrive(self, request: Request) -> Response:
        name = request.path_params["name"]
        queue = self.runtime.queues.get(name)
        if queue is None:
            known = ", ".join(self.runtime.queues) or "none"
            return JSONResponse({"error": "not_found", "detail": f"no queue {name!r} (known: {known})"}, 404)
        if not isinstance(queue, LocalQueue):
            detail = (
                f"queue {name!r} is the stack's, in moto: its dead-letter queue is redriven with SQS's API"
            )
            return JSONResponse({"error": "not_supported", "detail": detail}, 501)
        return JSONResponse({"queue": name, "moved": queue.redrive()})

    def _resources(self) -> list[dict[str, str]]:
        """The local AWS's tables and buckets, each with the `/_servey` page that shows what it holds."""
        if self.runtime.resources is None:
            return []
        spec = self.runtime.spec
        held = [("table", t.name, "tables") for t in spec.tables] + [
            ("bucket", b.name, "buckets") for b in spec.buckets
        ]
        return [{"kind": kind, "name": name, "href": f"/_servey/{path}/{name}"} for kind, name, path in held]

    def _connections(self) -> list[dict[str, Any]]:
        """The open sockets; their callers and subscriptions when the connections are kept in this process."""
        store = self.runtime.store
        kept = store if isinstance(store, InMemoryConnectionStore) else None
        shown = []
        for connection_id in self.runtime.connections.ids():
            entry: dict[str, Any] = {"id": connection_id, "caller": None, "subscriptions": None}
            if kept is not None:
                entry["caller"] = _caller(kept.connections.get(connection_id))
                entry["subscriptions"] = sorted(
                    name for name, members in kept.subscriptions.items() if connection_id in members
                )
            shown.append(entry)
        return shown


def app_map(spec: AppSpec) -> list[dict[str, Any]]:
    """Each action, and what triggers it, as the spec has them."""
    triggers: dict[str, list[str]] = defaultdict(list)
    for route in spec.routes:
        triggers[route.action].append(f"{'page' if route.template else 'REST'} {route.method} {route.path}")
    for resolver in spec.graphql.resolvers if spec.graphql is not None else ():
        triggers[resolver.action].append(f"GraphQL {resolver.type_name}.{resolver.field_name}")
    for schedule in spec.schedules:
        zone = f" ({schedule.timezone})" if schedule.timezone else ""
        triggers[schedule.action].append(f"schedule {schedule.name}: {schedule.expression}{zone}")
    for queue in spec.queues:
        triggers[queue.action].append(f"queue {queue.name} of subscription {queue.subscription}")
    for s3 in spec.s3_triggers:
        triggers[s3.action].append(f"S3 {s3.bucket} {', '.join(s3.events)}")
    for sns in spec.sns_triggers:
        triggers[sns.action].append(f"SNS topic {sns.topic}")
    for rule in spec.event_triggers:
        triggers[rule.action].append(f"EventBridge rule {rule.name} on bus {rule.bus or 'default'}")
    return [
        {
            "name": action.name,
            "summary": (action.description or "").strip().partition("\n")[0],
            "function": action.function,
            "requires_token": action.requires_token,
            "publishes": action.publishes,
            "triggers": triggers[action.name],
        }
        for action in spec.actions
    ]


def _queue(name: str, shown: dict[str, Any]) -> dict[str, Any]:
    """A queue as `/_servey/queues` shows it, its dead letters' bodies redacted and cut short."""
    letters = shown.get("dead_letters")
    return {
        "name": name,
        "action": shown.get("action") or shown.get("function"),
        "depth": shown.get("depth", 0),
        "in_flight": shown.get("in_flight", 0),
        "delayed": shown.get("delayed"),
        "dead_letter_depth": len(letters) if letters is not None else shown.get("dead_letter_depth"),
        "dead_letters": None
        if letters is None
        else [{**letter, "body": redact_secrets(str(letter["body"]), MAX_BODY)} for letter in letters],
        "redrive": letters is not None,
    }


def _caller(authorization: Authorization | None) -> str | None:
    if authorization is None:
        return None
    scopes = " ".join(sorted(authorization.scopes))
    subject = authorization.subject_id or "anonymous"
    return f"{subject} [{scopes}]" if scopes else subject


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
