"""Bearer tokens: JWTs carrying the subject and scopes that become an `Authorization`.

Locally tokens are HS256 with `JWT_SECRET_KEY` (or a random key per start). Only an
algorithm configured here is accepted, so `alg: none` and algorithm swaps fail.
PyJWT is imported on first use, keeping it off the cold-start path of actions that
never see a token.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from servey_cdk.authorization import Authorization, authorization_from_claims
from servey_cdk.errors import Unauthorized
from servey_cdk.wire import TOKEN_AUDIENCE, TOKEN_ISSUER, TOKEN_LIFETIME

if TYPE_CHECKING:
    import jwt

DEFAULT_ISSUER = "servey"
DEFAULT_AUDIENCE = "servey"
DEFAULT_LIFETIME_S = 3600
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "iss", "aud"]


@dataclass(frozen=True)
class TokenSettings:
    """How tokens are signed and checked. `key` is the HS256 secret."""

    key: str = field(repr=False)
    algorithm: str = "HS256"
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    lifetime_s: int = DEFAULT_LIFETIME_S
    key_id: str = "local"

    @classmethod
    def from_environment(cls) -> TokenSettings:
        """`JWT_SECRET_KEY`, `SERVEY_TOKEN_ISSUER`, `SERVEY_TOKEN_AUDIENCE`, `SERVEY_TOKEN_LIFETIME`."""
        return cls(
            key=os.environ.get("JWT_SECRET_KEY") or _random_key(),
            issuer=os.environ.get(TOKEN_ISSUER, DEFAULT_ISSUER),
            audience=os.environ.get(TOKEN_AUDIENCE, DEFAULT_AUDIENCE),
            lifetime_s=int(os.environ.get(TOKEN_LIFETIME, DEFAULT_LIFETIME_S)),
        )


_RANDOM_KEY: list[str] = []


def _random_key() -> str:
    """One random key per process, so tokens issued earlier in it stay valid."""
    if not _RANDOM_KEY:
        _RANDOM_KEY.append(secrets.token_urlsafe(32))
    return _RANDOM_KEY[0]


def issue_token(
    settings: TokenSettings,
    subject: str,
    scopes: Iterable[str] = (),
    lifetime_s: int | None = None,
    not_before: float | None = None,
) -> str:
    import jwt

    claims = token_claims(
        subject,
        scopes,
        settings.issuer,
        settings.audience,
        settings.lifetime_s if lifetime_s is None else lifetime_s,
        not_before,
    )
    return jwt.encode(claims, settings.key, settings.algorithm, headers={"kid": settings.key_id})


def token_claims(
    subject: str,
    scopes: Iterable[str],
    issuer: str,
    audience: str,
    lifetime_s: int,
    not_before: float | None = None,
) -> dict[str, Any]:
    """The claims of every token this project issues, however it is signed."""
    now = int(time.time())
    return {
        "sub": subject,
        "scope": " ".join(sorted(scopes)),
        "iat": now,
        "nbf": int(not_before) if not_before is not None else now,
        "exp": now + lifetime_s,
        "iss": issuer,
        "aud": audience,
    }


def verify_token(settings: TokenSettings, token: str) -> Authorization:
    """The authorization a token grants; `Unauthorized` with a safe reason otherwise."""
    return decode_token(token, settings.key, settings.algorithm, settings.audience, settings.issuer)


def decode_token(token: str, key: Any, algorithm: str, audience: str, issuer: str) -> Authorization:
    """The authorization of a token checked against one key and algorithm (HS256 or KMS's RS256),
    its audience, issuer and every required claim; `Unauthorized` with a safe reason otherwise."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.InvalidTokenError as error:
        raise rejection(error) from None
    return authorization_from_claims(claims)


def rejection(error: jwt.InvalidTokenError) -> Unauthorized:
    """`Unauthorized` with a reason that names what failed and leaks nothing of the token or key.

    Every verifier words its refusals through here, so a caller sees the same reason
    for the same fault whichever key checked the token.
    """
    import jwt

    reasons: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
        (jwt.ExpiredSignatureError, "the token has expired"),
        (jwt.ImmatureSignatureError, "the token is not valid yet"),
        (jwt.InvalidAudienceError, "the token is for another audience"),
        (jwt.InvalidIssuerError, "the token is from another issuer"),
        (jwt.InvalidAlgorithmError, "the token's algorithm is not accepted"),
        (jwt.InvalidSignatureError, "the token's signature is invalid"),
    )
    for error_type, reason in reasons:
        if isinstance(error, error_type):
            return Unauthorized(reason)
    return Unauthorized("the token is malformed")


class Hs256TokenSigner:
    """Issues the HS256 tokens of `settings`: the local counterpart of `KmsTokenSigner`."""

    def __init__(self, settings: TokenSettings) -> None:
        self.settings = settings
        self.lifetime_s = settings.lifetime_s

    def issue(self, subject: str, scopes: Iterable[str] = ()) -> str:
        return issue_token(self.settings, subject, tuple(scopes))


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()

