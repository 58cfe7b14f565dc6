"""The link a gateway sends the payer back to: signed and short-lived, so a payment's id alone shows nothing.

``/pay/return/<intent>/<token>``: the token is an HMAC-SHA256 (the hall's
secret key) over the tenant, the intent and an expiry, so it cannot be made
for another payment or another tenant, and it stops working after
:data:`VALID_FOR` (long enough for a slow payer, short enough that a link
copied from a browser history or a referrer is soon worthless). The payer's
own session opens ``/pay/return/<intent>`` without a token.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from core.payments.model import now

VALID_FOR = dt.timedelta(hours=24)


def _mac(secret: str, tenant_id: str, intent_id: str, expires: int) -> str:
    digest = hmac.new(
        secret.encode(), f"pay-return\0{tenant_id}\0{intent_id}\0{expires}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()  # 144 bits, 24 characters, no padding


def make_token(secret: str, tenant_id: str, intent_id: str, *, at: dt.datetime | None = None) -> str:
    expires = int(((at or now()) + VALID_FOR).timestamp())
    return f"{expires:x}.{_mac(secret, tenant_id, intent_id, expires)}"


def token_valid(secret: str, tenant_id: str, intent_id: str, token: str, *, at: dt.datetime | None = None) -> bool:
    expires_hex, _, mac = (token or "").partition(".")
    if not mac or len(expires_hex) > 12 or not all(c in "0123456789abcdef" for c in expires_hex):
        return False
    expires = int(expires_hex, 16)
    if expires < (at or now()).timestamp():
        return False
    return hmac.compare_digest(mac, _mac(secret, tenant_id, intent_id, expires))
