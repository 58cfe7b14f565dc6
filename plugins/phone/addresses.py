"""At most ``holds_per_address`` numbers being installed at one installation address at once (issue: limits per
real-name identity and address), enforced by the database.

An address has N numbered slots: a hold that applies for an address takes one, as ``live_address =
"<key>:<slot>"`` under the unique index (tenant, live_address). Each try is its own small transaction, so two
customers applying for the same address at the same moment never both get one slot: the loser's UPDATE fails on
the index (on SQLite and PostgreSQL alike) and it tries the next slot; with none left the form says so beside the
street. The slot is freed with the hold (released, expired, installed, rejected): ``_end`` clears the column.
"""

from __future__ import annotations

import hashlib
import unicodedata

from core.api import N_
from core.api.db import transaction
from core.api.web import FieldErrors

from . import clock
from .holds import _end, live
from .tables import EXPIRED, NumberHold

FULL = N_("This address already has %(count)s numbers being installed, the most one address may have at once.")


def address_key(address: dict) -> str:
    """The same address however it is typed: NFKC (full-width digits), no blanks, lower case; then hashed."""
    text = "|".join(address.get(k, "") for k in ("province", "city", "district", "street"))
    plain = "".join(unicodedata.normalize("NFKC", text).lower().split())
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()[:40]


def _unique_violation(exc: Exception) -> bool:
    text = str(exc).lower()
    return "unique" in text or "duplicate" in text


async def claim(hold: dict, address: dict, limit: int) -> str:
    """Give ``hold`` one of the address's slots (keeping the one it has); FieldErrors on ``street`` when all are taken."""
    key = address_key(address)
    mine = hold.get("live_address") or ""
    if mine.startswith(f"{key}:"):
        return mine
    at = clock.now()
    for slot in range(1, limit + 1):
        value = f"{key}:{slot}"
        try:
            async with transaction():
                # a hold past its time still sits in the index until the sweep: it frees its slot here
                await _end((NumberHold.live_address == value) & (NumberHold.expires_at <= at), EXPIRED, at)
                others = (NumberHold.live_address == value) & (NumberHold.id != hold["id"])
                if await NumberHold.exists().where(others & live(at)):
                    continue
                done = (
                    await NumberHold.update({NumberHold.live_address: value})
                    .where((NumberHold.id == hold["id"]) & live(at))
                    .returning(NumberHold.id)
                )
        except Exception as exc:  # the unique index: someone took this slot at the same moment
            if _unique_violation(exc):
                continue
            raise
        return value if done else ""  # not done: the hold itself is gone, which the order's checks report
    problems = FieldErrors()
    problems.add("street", FULL, count=limit)
    raise problems
