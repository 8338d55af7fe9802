"""The site as CloudFront serves it: the app's static/ folder under `/static/`, `static/index.html`
at `/`, and — for a single-page app — the fallback file for any other path the API does not serve.

Caching and security headers follow the same rules as the CloudFront distribution
(`servey_cdk.site`), so what a browser does locally it does on AWS. So do the misses: a
path outside the API is a key of the bucket, and a key it lacks is S3's 404 (CloudFront
may list the bucket, so S3 says 404, not 403); a method other than GET or HEAD there is
CloudFront's 403.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
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

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code == 404:
                return s3_miss(scope["path"])
            if error.status_code == 405:
                return method_refused()
            raise

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
        if matches_any(path, self.api_paths):
            return await self.api(request)
        if request.method not in ("GET", "HEAD"):
            return method_refused()
        if self.fallback is not None:
            return self._file(self.fallback)
        if path == "/":  # CloudFront's default root object
            return self._file(INDEX) if (self.directory / INDEX).is_file() else s3_miss(STATIC_PATH + INDEX)
        return s3_miss(path)

    def _file(self, name: str) -> Response:
        return FileResponse(self.directory / name, headers={"Cache-Control": REVALIDATE, **SECURITY_HEADERS})


def s3_miss(path: str) -> Response:
    """S3's answer for a key the bucket lacks (the key is the path without its leading slash)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        f"<Message>The specified key does not exist.</Message><Key>{escape(path.lstrip('/'))}</Key></Error>"
    )
    return Response(body, 404, headers=SECURITY_HEADERS, media_type="application/xml")


def method_refused() -> Response:
    """CloudFront's answer for a method the site's behaviour does not allow (GET and HEAD only)."""
    body = (
        "<!DOCTYPE html><html><head><title>403 ERROR</title></head><body><h1>403 ERROR</h1>"
        "<h2>The request could not be satisfied.</h2>This distribution is not configured to allow "
        "the HTTP request method that was used for this request.</body></html>"
    )
    return HTMLResponse(body, 403, headers=SECURITY_HEADERS)
