"""`ServeyAuth`: the KMS key that signs the app's tokens, with least-privilege grants."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib.builders import acknowledge
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, existing_problems, merged, override_problems, raise_if_any
from servey_cdk.appspec import AppSpec
from servey_cdk.wire import TOKEN_KEY_ID

OWNED_KEY_PROPS = ("key_spec", "key_usage")


class ServeyAuth(Construct):
    """Attributes: `key` (made, or `existing_key`), `verifiers` (functions granted `kms:GetPublicKey`,
    by name), `signers`.

    Every function learns the key id from `SERVEY_TOKEN_KEY_ID` and may read the public key:
    any of them may be sent a token (a bearer header on a public route, a direct invoke),
    and the public key reveals nothing. Only the functions of token-issuing actions
    (`token_action`) may sign, and any other only once `grant_sign(function)` says so.
    `existing_key` signs with a key of the caller's (an RSA SIGN_VERIFY one) instead of a new one;
    the grants are made on it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        key_props: Props | None = None,
        existing_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyAuth", auth_problems(key_props, existing_key))
        self.key = existing_key or self._token_key(spec, key_props)
        for function in functions.all_functions.values():
            function.add_environment(TOKEN_KEY_ID, self.key.key_id)
        self.verifiers = dict(functions.all_functions)
        for function in self.verifiers.values():
            self.key.grant(function, "kms:GetPublicKey")
        issuing = {action.function for action in spec.actions if action.issues_tokens}
        self.signers = {name: functions.all_functions[name] for name in sorted(issuing)}
        for function in self.signers.values():
            self.grant_sign(function)

    def _token_key(self, spec: AppSpec, key_props: Props | None) -> kms.Key:
        key = kms.Key(
            self,
            "TokenKey",
            **merged({"description": f"Signs the tokens of {spec.app_module}"}, key_props),
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
        )
        acknowledge(key, "AwsSolutions-KMS5", "KMS rotates symmetric keys only; this is an RSA signing key")
        return key

    def grant_sign(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` issue tokens (e.g. a login action's function)."""
        if isinstance(grantee, lambda_.Function):
            grantee.add_environment(TOKEN_KEY_ID, self.key.key_id)
        return self.key.grant(grantee, "kms:Sign")


def needs_token_key(spec: AppSpec) -> bool:
    """Whether the app verifies or issues tokens, and so needs a signing key."""
    return spec.auth.token_required or any(action.issues_tokens for action in spec.actions)


def auth_problems(key_props: Props | None, existing_key: kms.IKey | None = None) -> list[str]:
    problems = override_problems("key_props", key_props, kms.Key, OWNED_KEY_PROPS)
    problems += existing_problems("key_props", key_props, "existing_key", existing_key)
    resource = existing_key.node.default_child if existing_key is not None else None
    # A key made in this app can be read; one imported by ARN is taken as it is.
    if isinstance(resource, kms.CfnKey) and not (
        str(resource.key_spec or "").startswith("RSA_") and resource.key_usage == "SIGN_VERIFY"
    ):
        spec, usage = resource.key_spec or "SYMMETRIC_DEFAULT", resource.key_usage or "ENCRYPT_DECRYPT"
        problems.append(f"existing_key is a {spec} {usage} key; tokens are signed by an RSA SIGN_VERIFY key")
    return problems
