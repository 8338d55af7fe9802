"""A function configured for KMS refuses local tokens, and a local (HS256) function refuses KMS tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry
from servey_cdk.kms_tokens import KmsTokenSigner
from servey_cdk.tokens import TokenSettings, issue_token
from tests.conftest import SECRET, FakeLambdaContext, load_event

from .keys import FakeKms, hs256_mode, kms_mode


def call_protected(app: LambdaApp, token: str) -> tuple[int, Any]:
    event = load_event("apigw_rest_authorization")
    event["resource"] = event["path"] = "/actions/only-for-root"
    event["headers"]["Authorization"] = f"Bearer {token}"
    answer = app.handle(event, FakeLambdaContext())
    return answer["statusCode"], json.loads(answer["body"])


def local_token() -> str:
    return issue_token(TokenSettings(key=SECRET), "alice", {"root"})


def test_GIVEN_a_function_configured_for_kms_WHEN_sent_a_locally_issued_token_THEN_401(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, fake_kms: FakeKms, spare_kms: FakeKms
) -> None:
    kms_mode(monkeypatch, fake_kms, spare_kms)
    status, body = call_protected(LambdaApp(sample_registry), local_token())
    assert (status, body["detail"]) == (401, "the token was signed by another key")


def test_GIVEN_a_local_function_WHEN_sent_a_kms_signed_token_THEN_401(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, fake_kms: FakeKms, spare_kms: FakeKms
) -> None:
    token = KmsTokenSigner(fake_kms.key_id, client=fake_kms).issue("alice", {"root"})
    hs256_mode(monkeypatch, spare_kms)
    status, body = call_protected(LambdaApp(sample_registry), token)
    assert (status, body["detail"]) == (401, "the token's algorithm is not accepted")


def test_GIVEN_each_function_WHEN_sent_a_token_of_its_own_key_THEN_it_accepts_it(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, fake_kms: FakeKms, spare_kms: FakeKms
) -> None:
    kms_token = KmsTokenSigner(fake_kms.key_id, client=fake_kms).issue("alice", {"root"})
    kms_mode(monkeypatch, fake_kms, spare_kms)
    on_kms = call_protected(LambdaApp(sample_registry), kms_token)
    hs256_mode(monkeypatch, spare_kms)
    on_hs256 = call_protected(LambdaApp(sample_registry), local_token())
    assert on_kms == on_hs256 == (200, "Some Secret Data!")


def test_GIVEN_a_kms_function_WHEN_it_verifies_many_tokens_THEN_it_fetches_the_public_key_once(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch, spare_kms: FakeKms
) -> None:
    kms = FakeKms()
    kms_mode(monkeypatch, kms, spare_kms)
    signer = KmsTokenSigner(kms.key_id, client=kms)
    app = LambdaApp(sample_registry)
    answers = [call_protected(app, signer.issue(f"user-{n}", {"root"}))[0] for n in range(3)]
    assert answers == [200, 200, 200]
    assert kms.calls.count("GetPublicKey") == 1
