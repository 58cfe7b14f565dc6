"""Passwords: argon2id via argon2-cffi, with rehash on parameter change and a minimum policy."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.i18n import N_

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
# A real hash to verify against when the account does not exist, so timing does not reveal which logins exist.
# Written out rather than computed at import: hashing costs ~150 ms of CPU (and 64 MiB) in every process that
# imports this module - each web worker at start-up (bench/footprint.py). It is the hash of a random password
# nobody knows, with the hasher's parameters; should the library's defaults ever differ, it is computed instead,
# so a missing account still costs what a real one does.
_DUMMY_PARAMETERS = f"$argon2id$v=19$m={_hasher.memory_cost},t={_hasher.time_cost},p={_hasher.parallelism}$"
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$Zb5ZWTV1qOW+5r2EeK+YQg$f8VxRk7MjqIwu2/wd8ddhIMFGo3iqQqEB1cqM7L/st8"
if not _DUMMY.startswith(_DUMMY_PARAMETERS) or _hasher.hash_len != 32 or _hasher.salt_len != 16:
    _DUMMY = _hasher.hash("not-a-real-password")
MIN_LENGTH = 8


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-ish time: verifies against a dummy hash when there is no account."""

    def _verify() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(_verify)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """A message id describing what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return N_("Use at least 8 characters.")
    if password.isdigit() or password.isalpha():
        return N_("Mix letters with digits or symbols.")
    if confirm is not None and password != confirm:
        return N_("The two passwords differ.")
    return None
