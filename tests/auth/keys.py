"""The two ways a function can be configured to check tokens, and tokens good and bad for each.

AWS is out of reach of the tests, so `FakeKms` stands in for the two KMS calls servey makes
(`GetPublicKey`, `Sign`) with an RSA key generated here by `cryptography`. It signs
RSASSA-PKCS1-v1_5 with SHA-256, the scheme KMS applies for `RSASSA_PKCS1_V1_5_SHA_256`, so
its tokens are those KMS would sign and the verifier runs unchanged over them.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from servey_cdk import kms_tokens, wire
from tests.conftest import SECRET

OTHER_SECRET = "another-secret-key-of-sufficient-length-for-hs256"


@dataclass
class FakeKms:
    """KMS's `GetPublicKey` and `Sign` over one RSA key held in memory."""

    key_id: str = field(default_factory=lambda: f"fake-{uuid.uuid4()}")
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    calls: list[str] = field(default_factory=list)

    def get_public_key(self, **request: Any) -> dict[str, Any]:
        assert request == {"KeyId": self.key_id}
        self.calls.append("GetPublicKey")
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {"KeyId": self.key_id, "PublicKey": der}

    def sign(self, **request: Any) -> dict[str, Any]:
        message = request.pop("Message")
        expected = {
            "KeyId": self.key_id,
            "MessageType": "RAW",
            "SigningAlgorithm": "RSASSA_PKCS1_V1_5_SHA_256",
        }
        assert request == expected
        self.calls.append("Sign")
        return {**expected, "Signature": self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())}


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    valid = {"sub": "alice", "scope": "root", "iat": now, "nbf": now, "exp": now + 600}
    return {**valid, "iss": "servey", "aud": "servey", **overrides}


@dataclass(frozen=True)
class KeyMode:
    """How functions check tokens (`hs256` or `kms`), and how to sign as that key or as another."""

    name: str
    kid: str
    sign: Callable[[dict[str, Any], dict[str, Any]], str]  # (claims, headers) → token
    sign_with_another_key: Callable[[dict[str, Any]], str]
    sign_with_another_algorithm: Callable[[dict[str, Any]], str]
    another_key_reason: str


def hs256_mode(monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms) -> KeyMode:
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)
    monkeypatch.delenv(wire.TOKEN_KEY_ID, raising=False)
    return KeyMode(
        name="hs256",
        kid="local",
        sign=lambda payload, headers: jwt.encode(
            payload, SECRET, "HS256", headers={"kid": "local", **headers}
        ),
        sign_with_another_key=lambda payload: jwt.encode(
            payload, OTHER_SECRET, "HS256", headers={"kid": "local"}
        ),
        sign_with_another_algorithm=lambda payload: jwt.encode(
            payload, spare_kms.private_key, "RS256", headers={"kid": "local"}
        ),
        another_key_reason="signature is invalid",
    )


def kms_mode(monkeypatch: pytest.MonkeyPatch, kms: FakeKms, spare_kms: FakeKms) -> KeyMode:
    """Functions configured for KMS, whose boto3 client is `kms`."""
    monkeypatch.setenv("JWT_SECRET_KEY", SECRET)
    monkeypatch.setenv(wire.TOKEN_KEY_ID, kms.key_id)
    monkeypatch.setattr(kms_tokens, "_default_kms_client", lambda: kms)
    return KeyMode(
        name="kms",
        kid=kms.key_id,
        sign=lambda payload, headers: jwt.encode(
            payload, kms.private_key, "RS256", headers={"kid": kms.key_id, **headers}
        ),
        sign_with_another_key=lambda payload: jwt.encode(
            payload, spare_kms.private_key, "RS256", headers={"kid": spare_kms.key_id}
        ),
        sign_with_another_algorithm=lambda payload: jwt.encode(
            payload, SECRET, "HS256", headers={"kid": kms.key_id}
        ),
        another_key_reason="signed by another key",
    )


def tampered(token: str) -> str:
    """The token with its claims rewritten (a wider scope) under the original signature."""
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims(scope="root admin")).encode()).rstrip(b"=")
    return f"{header}.{payload.decode()}.{signature}"


def unsigned(kid: str) -> str:
    """`alg: none`: claims with no signature at all."""
    return jwt.encode(claims(), None, algorithm="none", headers={"kid": kid})


# Every way a token is refused, with the reason the caller is told (a part of it).
REJECTIONS: dict[str, tuple[Callable[[KeyMode], str], str | None]] = {
    "bad signature": (lambda mode: tampered(mode.sign(claims(), {})), "signature is invalid"),
    "alg none": (lambda mode: unsigned(mode.kid), "algorithm is not accepted"),
    "unconfigured algorithm": (
        lambda mode: mode.sign_with_another_algorithm(claims()),
        "algorithm is not accepted",
    ),
    "expired": (lambda mode: mode.sign(claims(exp=int(time.time()) - 60), {}), "has expired"),
    "before nbf": (lambda mode: mode.sign(claims(nbf=int(time.time()) + 3600), {}), "not valid yet"),
    "wrong iss": (lambda mode: mode.sign(claims(iss="someone-else"), {}), "another issuer"),
    "wrong aud": (lambda mode: mode.sign(claims(aud="another-app"), {}), "another audience"),
    "malformed": (lambda mode: "not-a.jwt", "malformed"),
    "no subject": (
        lambda mode: mode.sign({k: v for k, v in claims().items() if k != "sub"}, {}),
        "malformed",
    ),
    "another key": (lambda mode: mode.sign_with_another_key(claims()), None),  # the mode says why
}


def rejected_token(case: str, mode: KeyMode) -> tuple[str, str]:
    """A token refused for `case`, and the reason the caller is told."""
    make, reason = REJECTIONS[case]
    return make(mode), reason or mode.another_key_reason
