"""Local values of secrets and parameters, which AWS would hold: from the environment first, then
from the state folder's `secrets.json` (never shipped: packaging refuses it in an asset). A secret
given neither is made up at random, as the constructs' `GenerateSecretString` makes one, and kept
in `secrets.json` so that it stays the same across runs."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path

from servey_cdk.wire import environment_name

SECRETS_FILE = "secrets.json"
SECRET_PREFIX = "SERVEY_LOCAL_SECRET_"  # + the secret's name, as SERVEY_LOCAL_SECRET_PAYMENT_API_KEY
PARAMETER_PREFIX = "SERVEY_LOCAL_PARAMETER_"


def secret_values(names: list[str], folder: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """Each secret's local value; those made up are written to `secrets.json` (readable by its owner only)."""
    path = folder / SECRETS_FILE if folder is not None else None
    kept: dict[str, str] = json.loads(path.read_text()) if path is not None and path.exists() else {}
    values, made = {}, False
    for name in names:
        given = environ.get(environment_name(SECRET_PREFIX, name))
        if given is None and name not in kept:
            kept[name], made = secrets.token_urlsafe(24), True
        values[name] = given if given is not None else kept[name]
    if made and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(kept, indent=1))
    return values


def parameter_value(name: str, kept: str | None, initial: str | None, environ: Mapping[str, str]) -> str:
    """The environment's value, else the one kept from the last run, else the declared initial one."""
    return environ.get(environment_name(PARAMETER_PREFIX, name)) or kept or initial or ""
