"""Mailbox addresses: the local-part rules, and the reasons an address cannot be had (message ids)."""

from __future__ import annotations

import re

from core.api import N_

LOCAL = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")


def normalise(value: str, domain: str) -> tuple[str, str]:
    """(local part, problem): accepts ``name`` or ``name@<the tenant's domain>``, lower-cased."""
    value = (value or "").strip().lower()
    if "@" in value:
        local, _, at = value.partition("@")
        if at != domain:
            return "", N_("Addresses here end in @%(domain)s.")
        value = local
    return value, ""


def local_part_problem(local: str, settings) -> str:
    if not local:
        return N_("This field is required.")
    if len(local) < settings.min_length:
        return N_("At least %(min)s characters.")
    if len(local) > 32:
        return N_("At most 32 characters.")
    if not LOCAL.match(local) or ".." in local:
        return N_(
            "Use lower-case letters, digits, dots, hyphens and underscores; start and end with a letter or digit."
        )
    if local in settings.reserved:
        return N_("This name is reserved.")
    return ""
