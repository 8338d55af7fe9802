"""`@action(idempotent=…)`: a request run once, its answer kept and given again to its repeats.

The runtime does it with Powertools' idempotency utility (`servey_cdk.aws.idempotency`),
persisted in a declared table: the one an `Idempotency` names, else `IDEMPOTENCY_TABLE`,
which the app then gets made for it. A retried SQS message, a stream record read again or a
POST sent twice then runs its action's side effects once.
"""

from __future__ import annotations

from dataclasses import dataclass

from servey_cdk.resources.declared import Table

# Powertools' record: the request's hash under `id`, expired by DynamoDB's TTL on `expiration`.
IDEMPOTENCY_TABLE = Table("servey-idempotency", partition_key="id", ttl_attribute="expiration")
DEFAULT_EXPIRY_S = 3600


@dataclass(frozen=True)
class Idempotency:
    """`table`: where the records live (partition key `id`, a string; TTL on `expiration`).
    `key`: the parameters that tell requests apart, all of them when empty. The caller's
    identity is always part of it, so that two callers never share an answer."""

    table: Table = IDEMPOTENCY_TABLE
    expires_after_s: int = DEFAULT_EXPIRY_S
    key: tuple[str, ...] = ()
