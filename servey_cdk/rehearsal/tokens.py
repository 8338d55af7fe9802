"""Tokens the rehearsed functions accept: signed by the stack's own KMS key, in moto, as on AWS.

The key and the token settings are those the template gives the functions, so a token
signed here is verified by them exactly as one from the app's token action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from servey_cdk.kms_tokens import KmsTokenSigner
from servey_cdk.rehearsal.local_aws import LocalAws
from servey_cdk.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEFAULT_LIFETIME_S
from servey_cdk.wire import TOKEN_AUDIENCE, TOKEN_ISSUER, TOKEN_KEY_ID, TOKEN_LIFETIME


def stack_token_signer(aws: LocalAws, environments: Iterable[Mapping[str, str]]) -> KmsTokenSigner | None:
    """A signer with the key of the first of the functions' `environments` naming one; None if none does."""
    for variables in environments:
        if variables.get(TOKEN_KEY_ID):
            return KmsTokenSigner(
                variables[TOKEN_KEY_ID],
                issuer=variables.get(TOKEN_ISSUER, DEFAULT_ISSUER),
                audience=variables.get(TOKEN_AUDIENCE, DEFAULT_AUDIENCE),
                lifetime_s=int(variables.get(TOKEN_LIFETIME, DEFAULT_LIFETIME_S)),
                client=aws.client("kms"),
            )
    return None
