"""Personal data handling: ID numbers are kept as keyed hashes and shown masked, on screen and in logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from core.id_numbers import normalise_id_number  # the hall's one ID number validation, importable from here too

ID_NUMBER_RE = re.compile(
    r"(?<![0-9])([1-9][0-9]{5})((?:19|20)[0-9]{2}[01][0-9][0-3][0-9])([0-9]{3})([0-9Xx])(?![0-9])"
)
SENSITIVE_KEYS = {"password", "password_hash", "id_number", "code", "code_hash", "secret", "token"}


def id_hash(secret: str, id_number: str) -> str:
    """Keyed hash of the 18-digit form (core/id_numbers.py), so a leaked table does not give the ID numbers back.

    A 15-digit number hashes like its 18-digit form: old and new cards of one person match.
    """
    return hmac.new(secret.encode(), normalise_id_number(id_number).encode(), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """``330106********1234``: region kept, birth date and sequence hidden."""
    n = str(id_number)
    return n[:6] + "*" * (len(n) - 10) + n[-4:] if len(n) > 10 else "*" * len(n)


def mask_contact(value: str) -> str:
    """``138****5678`` or ``z***@example.com``."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + "***@" + domain) if local else value
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_name(name: str) -> str:
    """A holder's name shown to someone who is not the holder: ``张*明``, ``李*``, ``J*** S***``.

    Chinese names keep the first and (from three characters on) the last character; Latin names
    keep the first letter of each word. Enough for a payer to recognise whom they pay, never
    the whole name.
    """
    name = " ".join(str(name or "").split())
    if not name:
        return ""
    if name.isascii():
        return " ".join(word[:1] + "***" for word in name.split(" "))
    chars = name.replace(" ", "")
    if len(chars) == 1:
        return "*"
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * min(len(chars) - 2, 6) + chars[-1]


def scrub(text: str) -> str:
    """Mask every ID-number-shaped run in free text."""
    return ID_NUMBER_RE.sub(lambda m: mask_id(m.group(0)), text)


def redact(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if key in SENSITIVE_KEYS:
            out[key] = "***"
        elif isinstance(value, str):
            out[key] = scrub(value)
        elif isinstance(value, dict):
            out[key] = redact(value)
        else:
            out[key] = value
    return out


class MaskingFilter(logging.Filter):
    """Installed on the root logger: no full ID number reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if record.args:
            record.args = tuple(
                scrub(a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True
