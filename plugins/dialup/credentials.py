"""User names and passwords of dial-up accounts: the rules a customer's choice must meet, and the password hash
FreeRADIUS verifies for PAP (``SSHA2-512-Password``: base64 of SHA-512(password + salt) + salt). Never in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from core.api import N_

HASH_ATTRIBUTE = "SSHA2-512-Password"
NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")
COMMON = {"password", "12345678", "123456789", "qwertyui", "11111111", "88888888", "abcd1234", "iloveyou"}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return base64.b64encode(hashlib.sha512(password.encode() + salt).digest() + salt).decode()


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (the hall's own check of the old one)."""
    try:
        raw = base64.b64decode(stored)
    except ValueError:
        return False
    digest, salt = raw[:64], raw[64:]
    return hmac.compare_digest(hashlib.sha512(password.encode() + salt).digest(), digest)


def username_problem(name: str, settings) -> str:
    """Why ``name`` cannot be a user name (a message id), or "" - the database decides whether it is free."""
    if not name:
        return N_("Choose a user name.")
    if not (settings.username_min <= len(name) <= settings.username_max):
        return N_("A user name has %(min)s to %(max)s characters.")
    if not NAME.match(name):
        return N_("A user name starts with a letter and has only small letters, digits, dots, dashes and underscores.")
    if name in {r.lower() for r in settings.reserved}:
        return N_("This user name is reserved; choose another.")
    return ""


def password_problem(password: str, username: str, settings) -> str:
    """Why ``password`` is too weak (a message id), or ""."""
    if len(password) < settings.password_min:
        return N_("A password has at least %(min)s characters.")
    if len(password) > 64:
        return N_("A password has at most 64 characters.")
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 2 or password.lower() in COMMON or len(set(password)) < 4:
        return N_("This password is too easy to guess: mix letters with digits or signs.")
    if username and username.lower() in password.lower():
        return N_("A password must not contain the user name.")
    if not password.isascii() or not password.isprintable():
        return N_("A password uses only letters, digits and the signs on a keyboard.")
    return ""
