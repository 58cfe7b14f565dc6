"""Unsubscribe tokens: ``<subscription id>.<HMAC>``, signed with the hall's secret and bound to the tenant.

A link in a mail must work without logging in, for years, and must not let
anyone unsubscribe someone else by changing the number in the URL.
"""

from __future__ import annotations

import hashlib
import hmac


def _mac(secret: str, tenant_id: str, subscription_id: int) -> str:
    msg = f"billmail-unsubscribe:{tenant_id}:{subscription_id}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:32]


def make_token(secret: str, tenant_id: str, subscription_id: int) -> str:
    return f"{subscription_id}.{_mac(secret, tenant_id, subscription_id)}"


def read_token(secret: str, tenant_id: str, token: str) -> int | None:
    """The subscription id the token was made for, or None when it is malformed or forged."""
    sid, _, mac = (token or "").partition(".")
    if not (sid.isascii() and sid.isdigit()) or len(sid) > 12 or not mac:  # "²".isdigit() is True, and int() fails
        return None
    return int(sid) if hmac.compare_digest(mac, _mac(secret, tenant_id, int(sid))) else None
