"""Page requests (`WebPageTrigger`): call the action, render its template as HTML.

The template sees `model` (the result as JSON would carry it), `request` (its query
and path parameters) and `authorization`. Jinja2 is imported on the first render only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from servey_cdk.authorization import Authorization
from servey_cdk.errors import ActionFailed
from servey_cdk.invocation import ActionRunner
from servey_cdk.routes import Route

if TYPE_CHECKING:
    from jinja2 import Environment


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

    def render(
        self,
        route: Route,
        runner: ActionRunner,
        params: dict[str, Any],
        request: dict[str, Any],
        authorization: Authorization | None,
        request_id: str,
    ) -> str:
        from jinja2 import TemplateError

        result = runner.invoke(params, authorization=authorization, source="page", request_id=request_id)
        try:
            template = self.environment.get_template(route.template or f"templates/{route.action}.j2")
            return template.render(model=runner.dump(result), request=request, authorization=authorization)
        except TemplateError as error:
            raise ActionFailed(route.action) from error
