"""Access tokens for calling other services, from an OAuth2 client-credentials endpoint.

A token is fetched once, reused until `refresh_margin_s` before it expires, and fetched
again by one thread while the others wait for it. Fetches go through a circuit breaker,
so an unreachable token endpoint fails fast instead of stalling every caller.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from servey_cdk.outbound.circuit_breaker import CircuitBreaker

if TYPE_CHECKING:
    import urllib.error
    import urllib.request
    from email.message import Message

# RFC 6749 recommends `expires_in` without requiring it; a token without it is kept this long.
ASSUMED_LIFETIME_S = 300


class TokenFetchError(Exception):
    """The token endpoint could not be reached or did not answer with a token."""

    def __init__(self, token_url: str, problem: str) -> None:
        super().__init__(f"token endpoint {token_url}: {problem}")
        self.token_url = token_url


@dataclass(frozen=True)
class _CachedToken:
    access_token: str
    refresh_at: float


class ClientCredentialsTokenProvider:
    """`token()` is an access token for `client_id`, cached and refreshed before it expires.

    The client authenticates with HTTP basic auth, or with `client_id` and
    `client_secret` in the form body when `credentials_in_body` is set.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        breaker: CircuitBreaker | None = None,
        refresh_margin_s: float = 60,
        timeout_s: float = 5,
        credentials_in_body: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if urllib.parse.urlsplit(token_url).scheme not in {"https", "http"}:
            raise ValueError(f"token_url must be an http(s) URL, not {token_url!r}")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.breaker = breaker if breaker is not None else CircuitBreaker(f"token endpoint {token_url}")
        self.refresh_margin_s = refresh_margin_s
        self.timeout_s = timeout_s
        self.credentials_in_body = credentials_in_body
        self._clock = clock
        self._cached: _CachedToken | None = None
        self._refresh_lock = threading.Lock()

    def token(self) -> str:
        cached = self._cached
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.access_token
        with self._refresh_lock:
            # Another thread may have refreshed it while this one waited.
            cached = self._cached
            if cached is None or self._clock() >= cached.refresh_at:
                cached = self._cached = self.breaker.call(self._fetch)
            return cached.access_token

    def _fetch(self) -> _CachedToken:
        import urllib.error

        requested_at = self._clock()
        try:
            with _opener().open(self._request(), timeout=self.timeout_s) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise TokenFetchError(
                self.token_url, f"answered HTTP {error.code}{_oauth_error(error)}"
            ) from None
        except OSError as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            raise TokenFetchError(self.token_url, f"unreachable ({reason})") from error
        return self._cached_token(body, requested_at)

    def _request(self) -> urllib.request.Request:
        import urllib.request

        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self.credentials_in_body:
            form |= {"client_id": self.client_id, "client_secret": self._client_secret}
        else:
            headers["Authorization"] = f"Basic {self._basic_credentials()}"
        return urllib.request.Request(
            self.token_url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
        )

    def _basic_credentials(self) -> str:
        # RFC 6749 §2.3.1: each part is form-encoded before the pair is base64-encoded.
        pair = f"{urllib.parse.quote_plus(self.client_id)}:{urllib.parse.quote_plus(self._client_secret)}"
        return base64.b64encode(pair.encode()).decode("ascii")

    def _cached_token(self, body: bytes, requested_at: float) -> _CachedToken:
        try:
            answer = json.loads(body)
        except ValueError:
            raise TokenFetchError(self.token_url, "the answer is not JSON") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
            raise TokenFetchError(self.token_url, "the answer has no access_token")
        expires_in = _seconds(answer.get("expires_in", ASSUMED_LIFETIME_S))
        if expires_in is None:
            raise TokenFetchError(
                self.token_url, f"expires_in must be a positive number, not {answer['expires_in']!r}"
            )
        # Short-lived tokens are refreshed halfway through, not on every call.
        margin = min(self.refresh_margin_s, expires_in / 2)
        return _CachedToken(answer["access_token"], refresh_at=requested_at + expires_in - margin)


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    # urllib.request is imported on the first fetch, off the cold start of functions that never fetch.
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        """A redirect would carry the client's credentials to wherever it points: it fails instead."""

        def redirect_request(
            self,
            req: urllib.request.Request,
            fp: IO[bytes],
            code: int,
            msg: str,
            headers: Message,
            newurl: str,
        ) -> None:
            return None

    return urllib.request.build_opener(RefuseRedirects)


def _seconds(value: object) -> float | None:
    """A positive number of seconds; some endpoints send it as a string ("3599")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds > 0 else None


def _oauth_error(error: urllib.error.HTTPError) -> str:
    """The OAuth2 `error` code of a refusal (`invalid_client`, …), when the answer has one."""
    try:
        code = json.loads(error.read()).get("error")
    except (ValueError, AttributeError, OSError):
        return ""
    return f" ({code})" if isinstance(code, str) and len(code) <= 64 else ""
