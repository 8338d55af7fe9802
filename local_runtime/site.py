"""The site as CloudFront serves it: the app's static/ folder under `/static/`, `static/index.html`
at `/`, and — for a single-page app — the fallback file for any other path the API does not serve.

Caching and security headers follow the same rules as the CloudFront distribution
(`servey_cdk.site`), so what a browser does locally it does on AWS.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from servey_cdk.appspec import AppSpec, StaticSpec
from servey_cdk.site import (
    INDEX,
    REVALIDATE,
    SECURITY_HEADERS,
    api_path_patterns,
    cache_control_of,
    matches_any,
)

STATIC_PATH = "/static/"
Endpoint = Callable[[Request], Awaitable[Response]]


class SiteFiles(StaticFiles):
    """The static/ folder, each file with its cache policy and the security headers."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control_of(os.fspath(full_path))
        response.headers.update(SECURITY_HEADERS)
        return response


class LocalSite:
    """Routes of the site; `api` answers what CloudFront would send to API Gateway."""

    def __init__(self, spec: AppSpec, static: StaticSpec, api: Endpoint) -> None:
        self.directory = Path(static.directory)
        self.fallback = static.spa_fallback
        self.api = api
        self.api_paths = api_path_patterns(route.path for route in spec.routes)

    def routes(self, methods: list[str]) -> list[BaseRoute]:
        return [
            Mount(STATIC_PATH.rstrip("/"), SiteFiles(directory=self.directory)),
            Route("/{path:path}", self.respond, methods=methods),
        ]

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        if request.method not in ("GET", "HEAD") or matches_any(path, self.api_paths):
            return await self.api(request)
        if self.fallback is not None:
            return self._file(self.fallback)
        if path == "/" and (self.directory / INDEX).is_file():  # CloudFront's default root object
            return self._file(INDEX)
        return await self.api(request)

    def _file(self, name: str) -> Response:
        return FileResponse(self.directory / name, headers={"Cache-Control": REVALIDATE, **SECURITY_HEADERS})
