"""Browser sessions: the bearer token in an `HttpOnly` cookie, accepted by page routes only.

A browser cannot send an `Authorization` header when it opens a page, so a login form
may ask the token action for a session instead of a token: a form post with a
`redirect_to` path is answered `303 See Other` to that path, setting the cookie
(`HttpOnly`, `SameSite=Lax`, `Secure` except on loopback). The same form with
`logout` clears it.

CSRF: only page routes, which are `GET` views, read the cookie. Every state-changing
route takes its token from the `Authorization` header alone, which no other site can
make a browser send, so a forged cross-site request carries no authority. The login
and logout form posts themselves are refused when the browser says they come from
another site (`Sec-Fetch-Site`, else `Origin`), so no site can log a browser in or out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from servey_cdk.aws.http import response
from servey_cdk.aws.request import HttpRequest
from servey_cdk.errors import Forbidden, InvalidInput

if TYPE_CHECKING:
    from servey_cdk.authenticator import TokenResponse

SESSION_COOKIE = "servey_token"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
REDIRECT_FIELD = "redirect_to"
LOGOUT_FIELD = "logout"


def session_token(request: HttpRequest) -> str | None:
    """The session cookie's token: HTTP API lists cookies in `cookies`, REST in the `Cookie` header."""
    cookies: list[str] = list(request.event.get("cookies") or [])
    cookies += (request.headers.get("cookie") or "").split(";")
    for cookie in cookies:
        name, _, value = cookie.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value
    return None


def wants_session(params: Mapping[str, Any]) -> bool:
    """Whether a token action's form asks for a session (a redirect) rather than a token."""
    return REDIRECT_FIELD in params or LOGOUT_FIELD in params


def session_answer(
    params: dict[str, Any], headers: Mapping[str, str], issue: Callable[[dict[str, Any]], TokenResponse]
) -> dict[str, Any]:
    """Log the browser in (with the token `issue(params)` gives) or out, and send it on.

    `headers` are the request's, their names lowercased."""
    if _cross_site(headers):
        raise Forbidden("a login or logout form must be posted from this site")
    target = _local_path(str(params.pop(REDIRECT_FIELD, "/")))
    secure = "" if urlsplit("//" + headers.get("host", "")).hostname in LOOPBACK_HOSTS else "; Secure"
    attributes = f"Path=/; HttpOnly; SameSite=Lax{secure}"
    if params.pop(LOGOUT_FIELD, None) is not None:
        cookie = f"{SESSION_COOKIE}=; Max-Age=0; {attributes}"
    else:
        issued = issue(params)
        cookie = f"{SESSION_COOKIE}={issued.access_token}; Max-Age={issued.expires_in}; {attributes}"
    return response(303, "", {"Location": target, "Set-Cookie": cookie, "Cache-Control": "no-store"})


def _cross_site(headers: Mapping[str, str]) -> bool:
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != headers.get("host")


def _local_path(target: str) -> str:
    """`redirect_to` as a path of this site: never an open redirect to another."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        raise InvalidInput(
            f"{REDIRECT_FIELD} must be a path of this site, not {target!r}",
            [{"loc": ["body", REDIRECT_FIELD], "msg": "must be a path of this site", "type": "value_error"}],
        )
    return target
