"""Issuing tokens: an app's own check of credentials behind OAuth2's password flow.

An `Authenticator` says who a user name and password belong to and which scopes they
hold. `token_action` makes it a `POST` action answering `{access_token, token_type,
expires_in}`; tokens are signed by KMS on AWS (`SERVEY_TOKEN_KEY_ID`) and with HS256
locally, so the functions of the same app accept them. The constructs let only that
action's function call `kms:Sign`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from servey_cdk.action import TOKEN_ISSUER_ATTRIBUTE, action
from servey_cdk.errors import Unauthorized
from servey_cdk.triggers import WebTrigger

if TYPE_CHECKING:
    from servey_cdk.kms_tokens import TokenSigner


@dataclass(frozen=True)
class Credentials:
    """What a caller presents; `scopes` are those it asks for (empty: all it holds)."""

    username: str
    password: str
    scopes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Identity:
    """Whom credentials belong to, and the scopes their token grants."""

    subject: str
    scopes: frozenset[str] = frozenset()


class Authenticator(Protocol):
    def authenticate(self, credentials: Credentials) -> Identity | None:
        """The identity the credentials prove, or None when they prove none."""
        ...


@dataclass(frozen=True)
class TokenResponse:
    """OAuth2's answer to a successful token request."""

    access_token: str
    expires_in: int
    token_type: str = "bearer"


def granted_scopes(held: frozenset[str], requested: frozenset[str]) -> frozenset[str]:
    """OAuth2's rule: the requested scopes the user holds, or all it holds when none are asked for."""
    return held & requested if requested else held


def token_action(
    authenticator: Authenticator,
    *,
    name: str = "login",
    path: str | None = None,
    signer: TokenSigner | None = None,
) -> Callable[..., TokenResponse]:
    """A `POST` action trading a user name and password for a bearer token.

    Its `path` defaults to the one derived from its name (`/actions/login`).

    `signer` defaults to the environment's (KMS on AWS, HS256 locally), looked up on
    each login so that other requests never import what signing needs.
    """

    # Only OAuth2's password grant: typed so, validation refuses another and the schemas say so.
    def issue(
        username: str, password: str, scope: str = "", grant_type: Literal["password"] = "password"
    ) -> TokenResponse:
        identity = authenticator.authenticate(Credentials(username, password, frozenset(scope.split())))
        if identity is None:
            raise Unauthorized("wrong user name or password")
        from servey_cdk.kms_tokens import token_signer_from_environment

        chosen = signer or token_signer_from_environment()
        return TokenResponse(chosen.issue(identity.subject, identity.scopes), chosen.lifetime_s)

    issue.__name__ = issue.__qualname__ = name
    setattr(issue, TOKEN_ISSUER_ATTRIBUTE, True)
    return action(
        name=name,
        description="Trade a user name and password for a bearer token.",
        triggers=WebTrigger("POST", path),
    )(issue)
