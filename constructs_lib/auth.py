"""`ServeyAuth`: the KMS key that signs the app's tokens, with least-privilege grants."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib.builders import acknowledge
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, merged, owned_keys_problems, raise_if_any
from servey_cdk.appspec import AppSpec

TOKEN_KEY_ENV = "SERVEY_TOKEN_KEY_ID"
OWNED_KEY_PROPS = ("key_spec", "key_usage")


class ServeyAuth(Construct):
    """Attributes: `key`, `verifiers` (functions granted `kms:GetPublicKey`, by name).

    Every function learns the key id from `SERVEY_TOKEN_KEY_ID`; only verifiers may read the public
    key, and no function may sign until `grant_sign(function)` says so.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        key_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyAuth", auth_problems(key_props))
        self.key = kms.Key(
            self,
            "TokenKey",
            **merged({"description": f"Signs the tokens of {spec.app_module}"}, key_props),
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
        )
        acknowledge(
            self.key, "AwsSolutions-KMS5", "KMS rotates symmetric keys only; this is an RSA signing key"
        )
        for function in functions.all_functions.values():
            function.add_environment(TOKEN_KEY_ENV, self.key.key_id)
        verifying = {spec.action(name).function for name in _token_actions(spec)}
        self.verifiers = {
            name: function
            for name, function in functions.all_functions.items()
            if name in verifying or function in (functions.authorizer, functions.websocket)
        }
        for function in self.verifiers.values():
            self.key.grant(function, "kms:GetPublicKey")

    def grant_sign(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let `grantee` issue tokens (e.g. a login action's function)."""
        if isinstance(grantee, lambda_.Function):
            grantee.add_environment(TOKEN_KEY_ENV, self.key.key_id)
        return self.key.grant(grantee, "kms:Sign")


def _token_actions(spec: AppSpec) -> list[str]:
    return [action.name for action in spec.actions if action.requires_token]


def auth_problems(key_props: Props | None) -> list[str]:
    return owned_keys_problems("key_props", key_props, OWNED_KEY_PROPS)
