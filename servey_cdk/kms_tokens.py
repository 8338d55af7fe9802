"""Tokens signed by an AWS KMS asymmetric key (RS256): the private key never leaves KMS.

The signer calls `kms:Sign` once per token. The verifier fetches the public key once
per process (one `kms:GetPublicKey` per cold start), caches it by `kid` and checks
signatures locally, so verifying a request costs no KMS call. boto3, PyJWT and
cryptography are imported on first use, off the cold-start path of actions without tokens.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from servey_cdk.authorization import Authorization
from servey_cdk.errors import Unauthorized
from servey_cdk.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    DEFAULT_LIFETIME_S,
    Hs256TokenSigner,
    TokenSettings,
    decode_token,
    token_claims,
    verify_token,
)
from servey_cdk.wire import TOKEN_KEY_ID

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

ALGORITHM = "RS256"
KMS_SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
# KMS signs at most 4096 bytes given as a RAW message.
KMS_RAW_MESSAGE_LIMIT = 4096


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Authorization:
        """The authorization a token grants; `Unauthorized` with a safe reason otherwise."""
        ...


class TokenSigner(Protocol):
    """Issues tokens that the verifier of the same environment accepts."""

    lifetime_s: int

    def issue(self, subject: str, scopes: Iterable[str] = ()) -> str: ...


class Hs256TokenVerifier:
    """Verifies the locally issued HS256 tokens of `servey_cdk.tokens`."""

    def __init__(self, settings: TokenSettings) -> None:
        self.settings = settings

    def verify(self, token: str) -> Authorization:
        return verify_token(self.settings, token)


class KmsTokenSigner:
    """Issues RS256 tokens whose signature KMS computes with the key `key_id`."""

    def __init__(
        self,
        key_id: str,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        lifetime_s: int = DEFAULT_LIFETIME_S,
        client: Any = None,
    ) -> None:
        self.key_id = key_id
        self.issuer = issuer
        self.audience = audience
        self.lifetime_s = lifetime_s
        self._client = client

    def issue(
        self,
        subject: str,
        scopes: Iterable[str] = (),
        lifetime_s: int | None = None,
        not_before: float | None = None,
    ) -> str:
        header = {"alg": ALGORITHM, "typ": "JWT", "kid": self.key_id}
        claims = token_claims(
            subject,
            scopes,
            self.issuer,
            self.audience,
            self.lifetime_s if lifetime_s is None else lifetime_s,
            not_before,
        )
        signing_input = f"{_json_segment(header)}.{_json_segment(claims)}".encode("ascii")
        if len(signing_input) > KMS_RAW_MESSAGE_LIMIT:
            raise ValueError(
                f"the token for {subject!r} is {len(signing_input)} bytes before signing; "
                f"KMS signs at most {KMS_RAW_MESSAGE_LIMIT} (grant fewer scopes)"
            )
        response = self._kms().sign(
            KeyId=self.key_id,
            Message=signing_input,
            MessageType="RAW",
            SigningAlgorithm=KMS_SIGNING_ALGORITHM,
        )
        return f"{signing_input.decode('ascii')}.{_base64url(response['Signature'])}"

    def _kms(self) -> Any:
        if self._client is None:
            self._client = _default_kms_client()
        return self._client


# The public key of each `kid`, fetched once for the life of the process.
_PUBLIC_KEYS: dict[str, RSAPublicKey] = {}
_PUBLIC_KEYS_LOCK = threading.Lock()


class KmsTokenVerifier:
    """Accepts only RS256 tokens whose `kid` is `key_id` and whose signature its public key checks."""

    def __init__(
        self,
        key_id: str,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        client: Any = None,
    ) -> None:
        self.key_id = key_id
        self.issuer = issuer
        self.audience = audience
        self._client = client

    def verify(self, token: str) -> Authorization:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthorized("the token is malformed") from None
        # Checked before anything is fetched, so a caller never chooses which key is loaded.
        if header.get("kid") != self.key_id:
            raise Unauthorized("the token was signed by another key")
        return decode_token(token, self._public_key(), ALGORITHM, self.audience, self.issuer)

    def _public_key(self) -> RSAPublicKey:
        key = _PUBLIC_KEYS.get(self.key_id)
        if key is None:
            with _PUBLIC_KEYS_LOCK:
                key = _PUBLIC_KEYS.get(self.key_id)
                if key is None:
                    key = _PUBLIC_KEYS[self.key_id] = self._fetch_public_key()
        return key

    def _fetch_public_key(self) -> RSAPublicKey:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        client = self._client if self._client is not None else _default_kms_client()
        der = client.get_public_key(KeyId=self.key_id)["PublicKey"]
        key = load_der_public_key(der)
        if not isinstance(key, RSAPublicKey):
            raise TypeError(f"KMS key {self.key_id!r} is not an RSA key; tokens need RSA_2048 SIGN_VERIFY")
        return key


def token_verifier_from_environment() -> TokenVerifier:
    """KMS verification when `SERVEY_TOKEN_KEY_ID` names a key (on AWS), else local HS256."""
    settings = TokenSettings.from_environment()
    key_id = os.environ.get(TOKEN_KEY_ID)
    if key_id:
        return KmsTokenVerifier(key_id, issuer=settings.issuer, audience=settings.audience)
    return Hs256TokenVerifier(settings)


def token_signer_from_environment() -> TokenSigner:
    """A KMS signer when `SERVEY_TOKEN_KEY_ID` names a key (on AWS), else local HS256."""
    settings = TokenSettings.from_environment()
    key_id = os.environ.get(TOKEN_KEY_ID)
    if key_id:
        return KmsTokenSigner(
            key_id, issuer=settings.issuer, audience=settings.audience, lifetime_s=settings.lifetime_s
        )
    return Hs256TokenSigner(settings)


@functools.cache
def _default_kms_client() -> Any:
    """One client for the life of the process: making one costs more than a signature."""
    import boto3  # type: ignore[import-untyped]

    return boto3.client("kms")


def _json_segment(value: dict[str, Any]) -> str:
    return _base64url(json.dumps(value, separators=(",", ":")).encode())


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
