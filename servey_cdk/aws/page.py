"""Page requests (`WebPageTrigger`): call the action, render its template as HTML.

The template sees `model` (the result as JSON would carry it), `request` (its query
and path parameters) and `authorization`. An action may return a `Redirect` or a
`PageResponse` instead. Errors on page routes are HTML pages too. Jinja2 is imported
on the first render only, with autoescaping on.
"""

from __future__ import annotations

from html import escape
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servey_cdk.authorization import Authorization
from servey_cdk.aws.http import response
from servey_cdk.errors import ActionFailed, ServeyError
from servey_cdk.invocation import ActionRunner
from servey_cdk.pages import PageResponse, Redirect
from servey_cdk.site import SECURITY_HEADERS

if TYPE_CHECKING:
    from jinja2 import Environment

    from servey_cdk.aws.rest import Endpoint

_ERROR_HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", **SECURITY_HEADERS}


class PageRenderer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._environment: Environment | None = None

    @property
    def environment(self) -> Environment:
        if self._environment is None:
            from jinja2 import Environment, FileSystemLoader, select_autoescape

            self._environment = Environment(
                loader=FileSystemLoader(self.root),
                autoescape=select_autoescape(default=True, default_for_string=True),
            )
        return self._environment

    def respond(
        self,
        route: Endpoint,
        runner: ActionRunner,
        params: dict[str, Any],
        request: dict[str, Any],
        authorization: Authorization | None,
        request_id: str,
    ) -> dict[str, Any]:
        """The proxy response of a page: the route's own headers, then the action's."""
        result = runner.invoke(params, authorization=authorization, source="page", request_id=request_id)
        headers = {**route.headers, **SECURITY_HEADERS}
        if isinstance(result, Redirect):
            return response(result.status, "", {**headers, "Location": result.location})
        if isinstance(result, PageResponse):
            headers.update(result.headers)
            if result.body is not None:
                return response(result.status, result.body, headers)
            from pydantic_core import to_jsonable_python

            status, template, model = result.status, result.template, to_jsonable_python(result.model)
        else:
            status, template, model = 200, None, runner.dump(result)
        html = self._render(route, template or route.template, model, request, authorization)
        return response(status, html, headers)

    def _render(
        self,
        route: Endpoint,
        template_name: str | None,
        model: Any,
        request: dict[str, Any],
        authorization: Authorization | None,
    ) -> str:
        from jinja2 import TemplateError

        try:
            template = self.environment.get_template(template_name or f"templates/{route.action}.j2")
            return template.render(model=model, request=request, authorization=authorization)
        except TemplateError as error:
            raise ActionFailed(route.action) from error


def error_page(error: ServeyError, request_id: str) -> dict[str, Any]:
    """The HTML form of an error, with the same status and message as its JSON form."""
    phrase = HTTPStatus(error.status).phrase
    html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="UTF-8">'
        f"<title>{error.status} {phrase}</title></head>\n<body>\n<h1>{phrase}</h1>\n"
        f"<p>{escape(error.message)}</p>\n<p>Request id: <code>{escape(request_id)}</code></p>\n"
        "</body>\n</html>\n"
    )
    headers = dict(_ERROR_HEADERS)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return response(error.status, html, headers)
