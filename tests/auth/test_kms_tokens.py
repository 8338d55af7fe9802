"""KMS-signed RS256 tokens: issued with kms:Sign, verified locally with the cached public key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import jwt
import pytest

from servey_cdk.errors import Unauthorized
from servey_cdk.kms_tokens import (
    Hs256TokenVerifier,
    KmsTokenSigner,
    KmsTokenVerifier,
    token_verifier_from_environment,
)
from servey_cdk.tokens import TokenSettings, issue_token
from tests.conftest import mocked_aws

LOCAL_SECRET = "a-local-secret-of-at-least-32-bytes"


@pytest.fixture(scope="module")
def kms() -> Iterator[Any]:
    """One mocked KMS for the module: keys are cheap, a mocked client is not."""
    with mocked_aws():
        yield boto3.client("kms")


@pytest.fixture
def new_key_id(kms: Any) -> Callable[[], str]:
    def create() -> str:
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        return str(key["KeyMetadata"]["KeyId"])

    return create


@pytest.fixture
def key_id(new_key_id: Callable[[], str]) -> str:
    return new_key_id()


@pytest.fixture
def signer(key_id: str, kms: Any) -> KmsTokenSigner:
    return KmsTokenSigner(key_id, issuer="servey", audience="servey", lifetime_s=600, client=kms)


@pytest.fixture
def verifier(key_id: str, kms: Any) -> KmsTokenVerifier:
    return KmsTokenVerifier(key_id, issuer="servey", audience="servey", client=kms)


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def public_key_fetches(kms: Any) -> Iterator[list[str]]:
    """The GetPublicKey calls the real client makes during the test."""
    fetches: list[str] = []

    def count(**_: Any) -> None:
        fetches.append("GetPublicKey")

    kms.meta.events.register("before-call.kms.GetPublicKey", count)
    yield fetches
    kms.meta.events.unregister("before-call.kms.GetPublicKey", count)


def segment(value: dict[str, Any]) -> str:
    return base64url(json.dumps(value).encode())


def signed_by_kms(kms: Any, key_id: str, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A token whose header and claims the test chooses, signed by the KMS key `key_id`."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = kms.sign(
        KeyId=key_id,
        Message=signing_input.encode(),
        MessageType="RAW",
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )["Signature"]
    return f"{signing_input}.{base64url(signature)}"


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, claims, signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(claims + "==")),
        signature,
    )


def reason(verifier: KmsTokenVerifier | Hs256TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthorized) as rejected:
        verifier.verify(token)
    assert rejected.value.status == 401
    return rejected.value.message


def test_GIVEN_a_kms_token_WHEN_verified_THEN_its_subject_and_scopes_are_the_authorization(
    signer: KmsTokenSigner, verifier: KmsTokenVerifier
) -> None:
    token = signer.issue("alice", {"items:read", "items:write"})

    authorization = verifier.verify(token)

    assert authorization.subject_id == "alice"
    assert authorization.scopes == frozenset({"items:read", "items:write"})
    assert authorization.expire_at is not None
    assert authorization.is_valid_at()


def test_GIVEN_a_kms_token_THEN_it_carries_the_header_and_claims_of_a_local_token(
    signer: KmsTokenSigner, key_id: str
) -> None:
    header, claims, _ = parts(signer.issue("alice", ["b", "a"]))

    assert header == {"alg": "RS256", "typ": "JWT", "kid": key_id}
    assert set(claims) == {"sub", "scope", "iat", "nbf", "exp", "iss", "aud"}
    assert claims["scope"] == "a b"
    assert claims["exp"] - claims["iat"] == 600
    assert (claims["iss"], claims["aud"]) == ("servey", "servey")


def test_GIVEN_a_kms_token_THEN_any_rs256_implementation_verifies_it_with_the_kms_public_key(
    signer: KmsTokenSigner, kms: Any, key_id: str
) -> None:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    public_key = load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])

    claims = jwt.decode(signer.issue("alice"), public_key, algorithms=["RS256"], audience="servey")  # type: ignore[arg-type]

    assert claims["sub"] == "alice"


def test_GIVEN_many_verifications_WHEN_verified_THEN_the_public_key_is_fetched_from_kms_once(
    key_id: str, kms: Any, public_key_fetches: list[str]
) -> None:
    token = KmsTokenSigner(key_id, client=kms).issue("alice")

    for _ in range(3):
        KmsTokenVerifier(key_id, client=kms).verify(token)

    assert public_key_fetches == ["GetPublicKey"]


def test_GIVEN_a_token_with_another_kid_WHEN_verified_THEN_no_key_is_fetched_for_it(
    new_key_id: Callable[[], str], kms: Any, verifier: KmsTokenVerifier, public_key_fetches: list[str]
) -> None:
    other = KmsTokenSigner(new_key_id(), client=kms).issue("mallory")

    assert reason(verifier, other) == "the token was signed by another key"
    assert public_key_fetches == []


def test_GIVEN_another_keys_signature_under_the_right_kid_WHEN_verified_THEN_the_signature_is_invalid(
    new_key_id: Callable[[], str], kms: Any, verifier: KmsTokenVerifier
) -> None:
    other_key = new_key_id()
    forged = KmsTokenSigner(other_key, client=kms).issue("mallory")
    _, claims, _ = parts(forged)
    token = signed_by_kms(kms, other_key, {"alg": "RS256", "typ": "JWT", "kid": verifier.key_id}, claims)

    assert reason(verifier, token) == "the token's signature is invalid"


def test_GIVEN_a_tampered_payload_WHEN_verified_THEN_the_signature_is_invalid(
    signer: KmsTokenSigner, verifier: KmsTokenVerifier
) -> None:
    header, claims, signature = signer.issue("alice", {"items:read"}).split(".")
    widened = {**parts(f"{header}.{claims}.{signature}")[1], "scope": "admin"}

    assert reason(verifier, f"{header}.{segment(widened)}.{signature}") == "the token's signature is invalid"


def test_GIVEN_alg_none_WHEN_verified_THEN_the_algorithm_is_not_accepted(
    signer: KmsTokenSigner, verifier: KmsTokenVerifier
) -> None:
    _, claims, _ = parts(signer.issue("alice"))
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': verifier.key_id})}.{segment(claims)}."

    assert reason(verifier, unsigned) == "the token's algorithm is not accepted"


def test_GIVEN_an_hs256_token_keyed_with_the_public_key_WHEN_verified_THEN_the_algorithm_is_not_accepted(
    signer: KmsTokenSigner, verifier: KmsTokenVerifier, kms: Any
) -> None:
    """The classic swap: HMAC with the public key (known to all) as the secret."""
    _, claims, _ = parts(signer.issue("alice", {"admin"}))
    public_der = kms.get_public_key(KeyId=verifier.key_id)["PublicKey"]
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': verifier.key_id})}.{segment(claims)}"
    mac = hmac.new(public_der, signing_input.encode(), hashlib.sha256).digest()
    swapped = f"{signing_input}.{base64url(mac)}"

    assert reason(verifier, swapped) == "the token's algorithm is not accepted"


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        pytest.param({"lifetime_s": -5}, "the token has expired", id="expired"),
        pytest.param({"not_before": time.time() + 300}, "the token is not valid yet", id="before-nbf"),
    ],
)
def test_GIVEN_a_token_outside_its_validity_WHEN_verified_THEN_it_is_rejected(
    signer: KmsTokenSigner, verifier: KmsTokenVerifier, issue: dict[str, float], expected: str
) -> None:
    assert reason(verifier, signer.issue("alice", **issue)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("issuer", "audience", "expected"),
    [
        pytest.param("elsewhere", "servey", "the token is from another issuer", id="issuer"),
        pytest.param("servey", "another-app", "the token is for another audience", id="audience"),
    ],
)
def test_GIVEN_a_token_for_another_issuer_or_audience_WHEN_verified_THEN_it_is_rejected(
    key_id: str, kms: Any, verifier: KmsTokenVerifier, issuer: str, audience: str, expected: str
) -> None:
    token = KmsTokenSigner(key_id, issuer=issuer, audience=audience, client=kms).issue("alice")

    assert reason(verifier, token) == expected


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c", "e30.e30"])
def test_GIVEN_a_malformed_token_WHEN_verified_THEN_it_is_rejected_as_malformed(
    verifier: KmsTokenVerifier, token: str
) -> None:
    assert reason(verifier, token) == "the token is malformed"


def test_GIVEN_a_token_without_a_required_claim_WHEN_verified_THEN_it_is_rejected_as_malformed(
    verifier: KmsTokenVerifier, kms: Any
) -> None:
    now = int(time.time())
    claims = {"sub": "alice", "iat": now, "nbf": now, "exp": now + 60, "aud": "servey"}  # no iss
    header = {"alg": "RS256", "typ": "JWT", "kid": verifier.key_id}
    token = signed_by_kms(kms, verifier.key_id, header, claims)

    assert reason(verifier, token) == "the token is malformed"


def test_GIVEN_a_locally_issued_hs256_token_WHEN_verified_by_kms_THEN_it_is_refused(
    verifier: KmsTokenVerifier,
) -> None:
    local = issue_token(TokenSettings(key=LOCAL_SECRET), "alice", {"items:read"})

    assert reason(verifier, local) == "the token was signed by another key"


def test_GIVEN_a_kms_token_WHEN_verified_as_a_local_hs256_token_THEN_it_is_refused(
    signer: KmsTokenSigner,
) -> None:
    local_verifier = Hs256TokenVerifier(TokenSettings(key=LOCAL_SECRET))

    assert reason(local_verifier, signer.issue("alice")) == "the token's algorithm is not accepted"


def test_GIVEN_no_key_id_in_the_environment_THEN_tokens_are_verified_locally_with_hs256(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SERVEY_TOKEN_KEY_ID", raising=False)
    monkeypatch.setenv("JWT_SECRET_KEY", LOCAL_SECRET)

    verifier = token_verifier_from_environment()

    assert verifier.verify(issue_token(TokenSettings(key=LOCAL_SECRET), "alice")).subject_id == "alice"


def test_GIVEN_a_key_id_in_the_environment_THEN_tokens_are_verified_with_that_kms_key(
    monkeypatch: pytest.MonkeyPatch, signer: KmsTokenSigner
) -> None:
    monkeypatch.setenv("SERVEY_TOKEN_KEY_ID", signer.key_id)
    monkeypatch.setenv("SERVEY_TOKEN_AUDIENCE", "servey")

    verifier = token_verifier_from_environment()

    assert isinstance(verifier, KmsTokenVerifier)
    assert verifier.verify(signer.issue("alice")).subject_id == "alice"


def test_GIVEN_scopes_too_many_for_kms_WHEN_issued_THEN_a_clear_error_names_the_subject(
    signer: KmsTokenSigner,
) -> None:
    scopes = {f"scope-{index:04d}" for index in range(500)}

    with pytest.raises(
        ValueError, match=r"token for 'alice' is \d+ bytes before signing; KMS signs at most 4096"
    ):
        signer.issue("alice", scopes)
