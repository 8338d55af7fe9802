"""The debug login: OAuth2's password flow, issuing the tokens the app's handler verifies.

Any user name is accepted with the one password, which is random per start unless
`SERVEY_DEBUG_AUTHENTICATOR_PASSWORD` sets it. The requested scopes are granted.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from servey_cdk.errors import InvalidInput, ServeyError, Unauthorized
from servey_cdk.tokens import TokenSettings, issue_token

PASSWORD_VARIABLE = "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD"


def debug_password() -> str:
    return os.environ.get(PASSWORD_VARIABLE) or secrets.token_urlsafe(12)


class DebugLogin:
    def __init__(self, token_settings: TokenSettings, password: str) -> None:
        self.token_settings = token_settings
        self.password = password

    async def endpoint(self, request: Request) -> JSONResponse:
        try:
            subject, scopes = self._check(parse_qs((await request.body()).decode("utf-8", "replace")))
        except ServeyError as error:
            headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
            return JSONResponse(error.body(None), status_code=error.status, headers=headers)
        token = issue_token(self.token_settings, subject, scopes)
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": self.token_settings.lifetime_s},
            headers={"Cache-Control": "no-store"},
        )

    def _check(self, form: dict[str, list[str]]) -> tuple[str, set[str]]:
        missing = [name for name in ("username", "password") if not form.get(name, [""])[0]]
        if missing:
            raise InvalidInput(
                f"the login form needs {' and '.join(missing)}",
                [{"loc": ["form", name], "msg": "Field required", "type": "missing"} for name in missing],
            )
        grant_type = form.get("grant_type", ["password"])[0]
        if grant_type != "password":
            raise InvalidInput(f"grant_type {grant_type!r} is not supported; use 'password'")
        if not secrets.compare_digest(form["password"][0].encode(), self.password.encode()):
            raise Unauthorized("wrong user name or password")
        return form["username"][0], set(" ".join(form.get("scope", [])).split())
