"""The debug login: OAuth2's password flow, issuing tokens the app's functions accept.

`DebugAuthenticator` accepts any user name with the one password, which is random per
start unless `SERVEY_DEBUG_AUTHENTICATOR_PASSWORD` sets it, and grants the requested
scopes. It is an `Authenticator` like an app's own, so `token_action` can serve it too.
"""

from __future__ import annotations

import os
import secrets
from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from local_runtime.request_body import read_body
from servey_cdk.authenticator import Credentials, Identity, TokenResponse
from servey_cdk.aws.session import session_answer, wants_session
from servey_cdk.errors import InvalidInput, PayloadTooLarge, ServeyError, Unauthorized
from servey_cdk.kms_tokens import TokenSigner

PASSWORD_VARIABLE = "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD"
MAX_FORM_BYTES = 16 * 1024  # a user name, a password and scopes: far less than this
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>servey-local: log in</title></head>
<body>
<h1>Log in</h1>
<p>Any user name, the password servey-local printed, and the scopes to hold.</p>
<form id="login" method="post" action="/login">
<label>User name <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<label>Scopes <input name="scope" placeholder="root items:write"></label>
<input type="hidden" name="redirect_to" value="{next}">
<button type="submit">Log in</button>
</form>
<form id="logout" method="post" action="/login">
<input type="hidden" name="logout" value="1"><input type="hidden" name="redirect_to" value="/login">
<button type="submit">Log out</button>
</form>
</body>
</html>
"""


def debug_password() -> str:
    return os.environ.get(PASSWORD_VARIABLE) or secrets.token_urlsafe(12)


class DebugAuthenticator:
    """Anyone who knows the one password, with the scopes they ask for."""

    def __init__(self, password: str) -> None:
        self.password = password

    def authenticate(self, credentials: Credentials) -> Identity | None:
        if not secrets.compare_digest(credentials.password.encode(), self.password.encode()):
            return None
        return Identity(credentials.username, credentials.scopes)


class DebugLogin:
    """The emulator's `/login`: an OAuth2 password form, checked by the debug authenticator."""

    def __init__(self, signer: TokenSigner, password: str) -> None:
        self.signer = signer
        self.password = password
        self.authenticator = DebugAuthenticator(password)

    async def endpoint(self, request: Request) -> Response:
        try:
            body = await read_body(request, MAX_FORM_BYTES)
            if body is None:
                raise PayloadTooLarge(f"the login form is over {MAX_FORM_BYTES} bytes")
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            fields = {name: values[0] for name, values in form.items()}
            if wants_session(fields):  # a browser's form: a session cookie, as the token action gives
                answer = session_answer(fields, dict(request.headers), lambda _: self._issue(form))
                return Response(status_code=answer["statusCode"], headers=answer["headers"])
            subject, scopes = self._check(form)
        except ServeyError as error:
            headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
            return JSONResponse(error.body(None), status_code=error.status, headers=headers)
        token = self.signer.issue(subject, scopes)
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": self.signer.lifetime_s},
            headers={"Cache-Control": "no-store"},
        )

    async def page(self, request: Request) -> HTMLResponse:
        """A small login form; it comes back to `?next=` (a path of this site) with a session."""
        target = request.query_params.get("next", "/")
        return HTMLResponse(LOGIN_PAGE.format(next=escape(target, quote=True)), headers=PAGE_HEADERS)

    def _issue(self, form: dict[str, list[str]]) -> TokenResponse:
        subject, scopes = self._check(form)
        return TokenResponse(self.signer.issue(subject, scopes), self.signer.lifetime_s)

    def _check(self, form: dict[str, list[str]]) -> tuple[str, set[str]]:
        missing = [name for name in ("username", "password") if not form.get(name, [""])[0]]
        if missing:
            raise InvalidInput(
                f"the login form needs {' and '.join(missing)}",
                [{"loc": ["form", name], "msg": "Field required", "type": "missing"} for name in missing],
            )
        grant_type = form.get("grant_type", ["password"])[0]
        if grant_type != "password":
            message = f"grant_type {grant_type!r} is not supported; use 'password'"
            field = {"loc": ["form", "grant_type"], "msg": message, "type": "literal_error"}
            raise InvalidInput(message, [field])
        requested = frozenset(" ".join(form.get("scope", [])).split())
        identity = self.authenticator.authenticate(
            Credentials(form["username"][0], form["password"][0], requested)
        )
        if identity is None:
            raise Unauthorized("wrong user name or password")
        return identity.subject, set(identity.scopes)
