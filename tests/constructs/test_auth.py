"""ServeyAuth: a KMS signing key, public-key reads for verifiers only, signing only when granted."""

from __future__ import annotations

from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import Synthesized
from tests.constructs.template_queries import (
    Resources,
    actions_of,
    app_function,
    apps_own,
    policy_statements,
    role_of,
)


def test_GIVEN_the_sample_stack_THEN_the_token_key_is_an_rsa_signing_key(
    resources: Resources, synthesized: Synthesized
) -> None:
    (key,) = apps_own(resources, "AWS::KMS::Key", synthesized.sample.app).values()
    assert key["Properties"]["KeySpec"] == "RSA_2048"
    assert key["Properties"]["KeyUsage"] == "SIGN_VERIFY"


def test_GIVEN_the_sample_stack_THEN_functions_learn_the_key_id(
    resources: Resources, synthesized: Synthesized
) -> None:
    (key,) = apps_own(resources, "AWS::KMS::Key", synthesized.sample.app)
    assert app_function(resources, "say_hello")[1]["Environment"]["Variables"]["SERVEY_TOKEN_KEY_ID"] == {
        "Ref": key
    }


def readers_of(resources: Resources, spec: AppSpec, permission: str) -> set[str]:
    names = [item.name for item in spec.functions] + ["graphql-authorizer", "websocket"]
    return {
        name for name in names
        if permission in actions_of(policy_statements(resources, role_of(resources, name)))
    }  # fmt: skip


def test_GIVEN_the_sample_stack_THEN_every_function_may_read_the_public_key(
    resources: Resources, spec: AppSpec
) -> None:
    """Any function may be sent a token (a bearer header on a public route, a direct invoke)."""
    names = {item.name for item in spec.functions} | {"graphql-authorizer", "websocket"}
    assert readers_of(resources, spec, "kms:GetPublicKey") == names


def test_GIVEN_the_sample_stack_THEN_only_the_token_issuing_action_may_sign(
    resources: Resources, spec: AppSpec
) -> None:
    (issuer,) = [action for action in spec.actions if action.issues_tokens]
    assert readers_of(resources, spec, "kms:Sign") == {issuer.function} == {"issue_account_token"}


def test_GIVEN_a_users_stack_WHEN_grant_sign_is_given_one_function_THEN_only_it_may_sign(
    synthesized: Synthesized,
) -> None:
    user = synthesized.templates["UserStack"]["Resources"]
    signer = role_of(user, "echo_authorization")
    assert "kms:Sign" in actions_of(policy_statements(user, signer))
    assert "kms:Sign" not in actions_of(policy_statements(user, role_of(user, "say_hello")))
