"""A real authenticator backed by a database: users with salted password hashes and scopes.

`POST /actions/issue-account-token` trades a user name and password for a bearer token (KMS-signed
on AWS, HS256 locally). The table lives in SQLite at `SAMPLE_ACCOUNTS_DB` (in memory
by default); a deployed app would point the same few lines at its own user table.
`SAMPLE_ADMIN_PASSWORD`, when set, adds a user `admin` holding every scope the app's actions need.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable

from servey_cdk import Credentials, Identity, granted_scopes, token_action


class AccountBook:
    """Users in a SQLite table: `scrypt` hashes with a salt of their own, and the scopes they hold."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()  # one connection, shared by the emulator's threads
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, salt BLOB, hash BLOB, scopes TEXT)"
            )

    def add(self, name: str, password: str, scopes: Iterable[str] = ()) -> None:
        salt = secrets.token_bytes(16)
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)",
                (name, salt, _hash(password, salt), " ".join(sorted(scopes))),
            )

    def authenticate(self, credentials: Credentials) -> Identity | None:
        with self._lock:
            row = self._db.execute(
                "SELECT salt, hash, scopes FROM users WHERE name = ?", (credentials.username,)
            ).fetchone()
        if row is None:
            _hash(credentials.password, bytes(16))  # as slow as a wrong password: names cannot be probed
            return None
        if not hmac.compare_digest(_hash(credentials.password, row[0]), row[1]):
            return None
        return Identity(credentials.username, granted_scopes(frozenset(row[2].split()), credentials.scopes))


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


accounts = AccountBook(os.environ.get("SAMPLE_ACCOUNTS_DB", ":memory:"))
if admin_password := os.environ.get("SAMPLE_ADMIN_PASSWORD"):
    accounts.add("admin", admin_password, {"root", "items:write", "messages:send"})
issue_account_token = token_action(accounts, name="issue_account_token")
