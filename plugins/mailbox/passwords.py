"""Mailbox passwords: hashed with argon2id in the form Dovecot's {ARGON2ID} scheme verifies (libsodium: one lane)."""

from __future__ import annotations

from argon2 import PasswordHasher

SCHEME = "{ARGON2ID}"
# Dovecot checks with libsodium's crypto_pwhash_str_verify, which takes only parallelism 1
_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)


def hash_for_dovecot(password: str) -> str:
    return SCHEME + _HASHER.hash(password)


def weak(password: str, local_part: str) -> str:
    """The reason a mailbox password is refused (a message id), or ""."""
    from core.api import N_

    if len(password) < 8:
        return N_("At least 8 characters.")
    if len(password) > 128:
        return N_("At most 128 characters.")
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 2:
        return N_("Use at least two of: lower-case letters, upper-case letters, digits, symbols.")
    if local_part and local_part.lower() in password.lower():
        return N_("The password must not contain the mailbox name.")
    return ""
