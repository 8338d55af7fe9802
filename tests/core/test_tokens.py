"""Bearer tokens: what a valid token grants, and every way a token is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest

from servey_cdk import Unauthorized
from servey_cdk.tokens import TokenSettings, bearer_token, issue_token, verify_token

SETTINGS = TokenSettings(key="k" * 64)


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "alice",
        "scope": "root",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "iss": SETTINGS.issuer,
        "aud": SETTINGS.audience,
    }
    return {**base, **overrides}


def test_GIVEN_an_issued_token_WHEN_verified_THEN_subject_and_scopes_come_back() -> None:
    token = issue_token(SETTINGS, "alice", {"root", "user"})

    authorization = verify_token(SETTINGS, token)

    assert authorization.subject_id == "alice"
    assert authorization.scopes == frozenset({"root", "user"})
    assert authorization.is_valid_at()


def test_GIVEN_an_issued_token_THEN_it_carries_the_registered_claims() -> None:
    before = int(time.time())
    token = issue_token(SETTINGS, "alice", ("root",), lifetime_s=120)

    payload = jwt.decode(token, SETTINGS.key, algorithms=["HS256"], audience="servey")

    assert (payload["sub"], payload["scope"], payload["iss"], payload["aud"]) == (
        "alice",
        "root",
        "servey",
        "servey",
    )
    assert before <= payload["nbf"] <= payload["iat"] + 1
    assert payload["exp"] - payload["iat"] == 120


def test_GIVEN_an_issued_token_THEN_its_header_names_the_key_and_algorithm() -> None:
    header = jwt.get_unverified_header(issue_token(SETTINGS, "alice"))
    assert (header["kid"], header["alg"]) == ("local", "HS256")


def test_GIVEN_an_issued_token_WHEN_verified_THEN_validity_bounds_are_kept() -> None:
    authorization = verify_token(SETTINGS, issue_token(SETTINGS, "alice", lifetime_s=60))

    assert authorization.not_before is not None
    assert authorization.expire_at is not None
    assert (authorization.expire_at - authorization.not_before).total_seconds() == 60
    assert authorization.expire_at.tzinfo is UTC


def refused(token: str, reason: str, settings: TokenSettings = SETTINGS) -> None:
    with pytest.raises(Unauthorized, match=reason) as raised:
        verify_token(settings, token)
    assert raised.value.status == 401


def test_GIVEN_a_tampered_signature_THEN_unauthorized() -> None:
    token = issue_token(SETTINGS, "alice")
    head, payload, signature = token.split(".")
    forged = head + "." + payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    refused(forged, "signature")


def test_GIVEN_an_unsigned_alg_none_token_THEN_unauthorized() -> None:
    refused(jwt.encode(claims(), None, algorithm="none"), "algorithm")


def test_GIVEN_an_algorithm_that_is_not_configured_THEN_unauthorized() -> None:
    refused(jwt.encode(claims(), SETTINGS.key, algorithm="HS512"), "algorithm")


def test_GIVEN_an_expired_token_THEN_unauthorized() -> None:
    refused(issue_token(SETTINGS, "alice", lifetime_s=-10), "expired")


def test_GIVEN_a_token_before_its_not_before_THEN_unauthorized() -> None:
    refused(issue_token(SETTINGS, "alice", not_before=time.time() + 3600), "not valid yet")


def test_GIVEN_another_issuer_THEN_unauthorized() -> None:
    refused(jwt.encode(claims(iss="elsewhere"), SETTINGS.key, algorithm="HS256"), "issuer")


def test_GIVEN_another_audience_THEN_unauthorized() -> None:
    refused(jwt.encode(claims(aud="other-app"), SETTINGS.key, algorithm="HS256"), "audience")


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c", "e30.e30.e30"])
def test_GIVEN_a_malformed_token_THEN_unauthorized(token: str) -> None:
    refused(token, "malformed|signature|algorithm")


def test_GIVEN_a_token_without_a_subject_THEN_unauthorized() -> None:
    payload = claims()
    del payload["sub"]
    refused(jwt.encode(payload, SETTINGS.key, algorithm="HS256"), "malformed")


def test_GIVEN_a_token_signed_with_another_key_THEN_unauthorized() -> None:
    refused(issue_token(TokenSettings(key="x" * 32), "alice"), "signature")


def test_GIVEN_a_refusal_THEN_the_message_reveals_no_token_content() -> None:
    token = issue_token(TokenSettings(key="x" * 32), "secret-subject")
    with pytest.raises(Unauthorized) as raised:
        verify_token(SETTINGS, token)
    assert "secret-subject" not in raised.value.message


def test_GIVEN_no_authorization_header_THEN_no_token() -> None:
    assert bearer_token(None) is None
    assert bearer_token("") is None


@pytest.mark.parametrize("header", ["Bearer abc.def.ghi", "bearer abc.def.ghi", "Bearer  abc.def.ghi "])
def test_GIVEN_a_bearer_header_THEN_the_token_is_read(header: str) -> None:
    assert bearer_token(header) == "abc.def.ghi"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "abc.def.ghi"])
def test_GIVEN_a_header_that_is_not_bearer_THEN_unauthorized(header: str) -> None:
    with pytest.raises(Unauthorized, match="Bearer <token>"):
        bearer_token(header)


def test_GIVEN_the_environment_THEN_token_settings_follow_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("SERVEY_TOKEN_ISSUER", "me")
    monkeypatch.setenv("SERVEY_TOKEN_AUDIENCE", "you")
    monkeypatch.setenv("SERVEY_TOKEN_LIFETIME", "99")

    settings = TokenSettings.from_environment()

    assert (settings.key, settings.issuer, settings.audience, settings.lifetime_s) == (
        "s" * 32,
        "me",
        "you",
        99,
    )
    assert "s" * 32 not in repr(settings)


def test_GIVEN_no_secret_in_the_environment_THEN_one_random_key_serves_the_whole_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)

    first, second = TokenSettings.from_environment(), TokenSettings.from_environment()

    assert first.key == second.key
    assert len(first.key) >= 32
    assert verify_token(second, issue_token(first, "alice")).subject_id == "alice"


def test_GIVEN_claims_THEN_the_authorization_is_valid_only_inside_its_bounds() -> None:
    authorization = verify_token(SETTINGS, issue_token(SETTINGS, "alice", lifetime_s=60))
    assert authorization.expire_at is not None

    assert not authorization.is_valid_at(authorization.expire_at)
    assert not authorization.is_valid_at(datetime(2000, 1, 1, tzinfo=UTC))
