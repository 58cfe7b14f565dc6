"""PINs: made by ``secrets``, stored only as an HMAC (for redemption) and an AES-GCM copy (for one-time delivery).

Both keys are per tenant, derived with HKDF from the hall's secret key and
the tenant id, so one tenant's hashes and sealed copies mean nothing in
another, and the database alone (a leaked backup) reveals no PIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _key(secret: str, tenant_id: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"shop:{purpose}:{tenant_id}".encode()).derive(
        secret.encode()
    )


class PinKeys:
    """The two keys of one tenant; ``hash`` compares, ``seal``/``open`` keep the copy delivered once."""

    def __init__(self, secret: str, tenant_id: str):
        self._mac = _key(secret, tenant_id, "pin-hash")
        self._aead = AESGCM(_key(secret, tenant_id, "pin-seal"))
        self._tenant = tenant_id.encode()

    def hash(self, serial: str, pin: str) -> str:
        """The keyed hash of a (serial, PIN) pair: the same PIN on another card hashes differently."""
        return hmac.new(self._mac, f"{serial}:{pin}".encode(), hashlib.sha256).hexdigest()

    def seal(self, serial: str, pin: str) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(
            nonce + self._aead.encrypt(nonce, pin.encode(), self._tenant + serial.encode())
        ).decode()

    def open(self, serial: str, sealed: str) -> str:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], self._tenant + serial.encode()).decode()


def keys_for(hall, tenant) -> PinKeys:
    return PinKeys(hall.secret, tenant.id)


def new_pin(digits: int) -> str:
    """A PIN of ``digits`` decimal digits from the operating system's cryptographic generator."""
    return "".join(str(secrets.randbelow(10)) for _ in range(digits))


def clean_pin(text: str) -> str:
    """What a person typed, without spaces and dashes (cards print PINs in groups)."""
    return "".join(ch for ch in (text or "") if ch not in " -\u3000")[:40]


def grouped(pin: str) -> str:
    """A PIN in groups of four, as printed and shown."""
    return " ".join(pin[i : i + 4] for i in range(0, len(pin), 4))
