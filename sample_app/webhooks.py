"""A secret: the key the app signs its outgoing webhooks with, read from Secrets Manager once per
process and never logged. servey-local makes one up on its first run (`.servey/secrets.json`),
or takes `SERVEY_LOCAL_SECRET_WEBHOOK_SIGNING_KEY`."""

import hashlib
import hmac

from servey_cdk import WEB_POST, ScopeAccessControl, Secret, action

signing_key = Secret(
    "webhook-signing-key", description="The key webhook payloads are signed with (HMAC-SHA256)"
)


@action(
    triggers=WEB_POST, uses=signing_key.read(), access_control=ScopeAccessControl(execute_scope="items:write")
)
def sign_webhook(payload: str) -> str:
    """The payload's HMAC-SHA256 signature, in hexadecimal, as its receiver checks it."""
    return hmac.new(signing_key.value.encode(), payload.encode(), hashlib.sha256).hexdigest()
