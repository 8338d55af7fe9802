"""Documentation served locally, with no internet: Swagger UI, GraphiQL and the schema documents.

Swagger UI's files come from the `swagger-ui-bundle-v2` package; GraphiQL's, with
React, are kept in `static/graphiql`. The OpenAPI document's security scheme is
the debug login's OAuth2 password flow, so Swagger UI's Authorize button logs in.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse

from servey_cdk.appspec import AppSpec
from servey_cdk.aws.appsync import ANONYMOUS
from servey_cdk.openapi import error_response, openapi_document

GRAPHIQL_FILES = Path(__file__).parent / "static" / "graphiql"
LOGIN_PATH = "/login"
# The debug login's form, with the rules `DebugLogin` holds it to: a blank field counts as missing.
LOGIN_FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "enum": ["password"], "default": "password"},
        "username": {"type": "string", "minLength": 1, "description": "Any user name."},
        "password": {"type": "string", "minLength": 1, "description": "The password servey-local printed."},
        "scope": {"type": "string", "description": "The scopes to grant, separated by spaces."},
    },
    "required": ["username", "password"],
}
ACCESS_TOKEN_SCHEMA = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["bearer"]},
        "expires_in": {"type": "integer", "description": "Seconds."},
    },
    "required": ["access_token", "token_type", "expires_in"],
}
INSTALL_HINT = "/docs needs Swagger UI 5: pip uninstall swagger-ui-bundle; pip install swagger-ui-bundle-v2"


def swagger_ui_files() -> str:
    """Swagger UI's folder; version 5 or later, the first to render OpenAPI 3.1."""
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    path = Path(swagger_ui_bundle.swagger_ui_path)
    major = path.name.removeprefix("swagger-ui-").partition(".")[0]
    if not major.isdigit() or int(major) < 5:
        raise ImportError(f"{path.name} cannot render OpenAPI 3.1; {INSTALL_HINT}")
    return str(path)


def local_openapi_document(spec: AppSpec) -> dict[str, Any]:
    """The app's OpenAPI document, its tokens issued by the debug login.

    A token is optional where no route demands one, so Swagger UI sends it once
    authorized and actions that read the caller's authorization see it.
    """
    document = openapi_document(spec)
    document.setdefault("components", {})["securitySchemes"] = {
        "bearer": {
            "type": "oauth2",
            "description": "The debug login: any user name, the password printed by servey-local.",
            "flows": {
                "password": {"tokenUrl": LOGIN_PATH, "scopes": {scope: scope for scope in spec.auth.scopes}}
            },
        }
    }
    document["security"] = [{}, {"bearer": []}]
    document["paths"][LOGIN_PATH] = {"post": _login_operation()}
    return document


def _login_operation() -> dict[str, Any]:
    token = {"application/json": {"schema": ACCESS_TOKEN_SCHEMA}}
    return {
        "operationId": "debug_login",
        "tags": ["debug_login"],
        "summary": "Trade the debug password for a bearer token with the scopes asked for.",
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": LOGIN_FORM_SCHEMA}},
        },
        "responses": {
            "200": {"description": "The token.", "content": token},
            **{status: error_response(status) for status in ("401", "413", "414", "422")},
        },
    }


def swagger_page(title: str) -> HTMLResponse:
    options = {
        "url": "/openapi.json",
        "dom_id": "#swagger-ui",
        "persistAuthorization": True,
        "oauth2RedirectUrl": "/docs/static/oauth2-redirect.html",
    }
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} - API docs</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>
const options = {json.dumps(options)};
options.oauth2RedirectUrl = window.location.origin + options.oauth2RedirectUrl;
window.ui = SwaggerUIBundle(options);
</script>
</body>
</html>
""")


def graphiql_page(title: str) -> HTMLResponse:
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} - GraphiQL</title>
<style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
<link rel="stylesheet" href="/graphiql/static/graphiql.min.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL...</div>
<script src="/graphiql/static/react.production.min.js"></script>
<script src="/graphiql/static/react-dom.production.min.js"></script>
<script src="/graphiql/static/graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultHeaders: {json.dumps(json.dumps({"Authorization": ANONYMOUS}, indent=2))},
  }})
);
</script>
</body>
</html>
""")
