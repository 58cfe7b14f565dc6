"""Credentials as the hall keeps them: random values from ``secrets``, stored only as HMAC-SHA256 keyed with the
deployment's secret, so a leaked table is no key to the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

ACCESS_TTL = dt.timedelta(hours=1)
REFRESH_TTL = dt.timedelta(days=30)
CODE_TTL = dt.timedelta(minutes=5)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def keyed_hash(secret: str, value: str) -> str:
    """The stored form of a token, code or client secret."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_client_id() -> str:
    return "hc_" + secrets.token_hex(12)


def same(secret: str, value: str, stored: str) -> bool:
    return bool(stored) and hmac.compare_digest(keyed_hash(secret, value), stored)


def as_list(value) -> list:
    """A JSON column's list (Piccolo hands SQLite's back as text)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])
