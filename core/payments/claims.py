"""Claims: what an intent pays for, held exclusively, so the same thing can never be paid by two payments.

An owner names what a payment buys as claim strings (billpay: one per bill and
the paid amount it starts from, ``bill:<id>@<paid before>``). The claims are
rows with a unique index on ``(tenant, item)``, inserted in the same
transaction as the intent: of two requests racing to pay the same bill, the
database lets exactly one commit its claim; the other gets
:class:`ClaimConflict` naming the holder, and the owner decides (billpay closes
the holder at the gateway and tries again). A read-then-write check cannot give
that guarantee; a unique index does, on SQLite and PostgreSQL alike.

Lifetime: taken with the intent; released in the transaction that makes the
intent canceled or failed (it can no longer be paid) or refunded in full;
kept while it is paid. A gateway may still take money for a canceled intent
(a checkout page opened before it was closed): the settlement then takes the
claims back, and if another payment holds them meanwhile the late payment is a
duplicate - recorded, never fulfilled or posted, and refunded automatically
(:mod:`core.payments.settle`).
"""

from __future__ import annotations

from core.db.engine import fetch
from core.payments.model import PaymentError, now
from core.payments.tables import PaymentClaim

CLAIM = PaymentClaim._meta.tablename
MAX_CLAIMS = 64
MAX_LENGTH = 160


class ClaimConflict(PaymentError):
    """Something this payment would pay for is held by another intent (``holders``: their public ids)."""

    def __init__(self, holders: list[str]):
        super().__init__(f"already being paid by {', '.join(holders)}")
        self.holders = holders


def check_claims(claims) -> list[str]:
    """The claims as a sorted list of distinct strings (sorted: concurrent takers lock in one order, no deadlock)."""
    if claims is None:
        return []
    if isinstance(claims, str) or not all(isinstance(c, str) and 0 < len(c) <= MAX_LENGTH for c in claims):
        raise PaymentError(f"claims must be a list of strings of 1-{MAX_LENGTH} characters")
    claims = sorted(set(claims))
    if len(claims) > MAX_CLAIMS:
        raise PaymentError(f"a payment holds at most {MAX_CLAIMS} claims")
    return claims


async def take(tenant_id: str, intent_id: str, claims: list[str]) -> None:
    """Hold ``claims`` for ``intent_id`` inside the caller's transaction; ClaimConflict (roll back!) when another intent holds any.

    ``ON CONFLICT DO NOTHING``: on PostgreSQL a concurrent uncommitted holder
    makes this wait for its commit, then skip; on SQLite the write lock orders them.
    """
    stamp = now()
    for item in claims:
        got = await fetch(
            f'INSERT INTO "{CLAIM}" ("tenant", "item", "intent_id", "created_at") VALUES ({{}}, {{}}, {{}}, {{}}) '
            f'ON CONFLICT ("tenant", "item") DO NOTHING RETURNING "id"',
            tenant_id,
            item,
            intent_id,
            stamp,
        )
        if not got:
            held = await holders(tenant_id, claims)
            others = sorted({h for h in held.values() if h != intent_id})
            if others:
                raise ClaimConflict(others)


async def holders(tenant_id: str, claims: list[str]) -> dict[str, str]:
    """item → the public id of the intent holding it."""
    if not claims:
        return {}
    marks = ", ".join("{}" for _ in claims)
    rows = await fetch(
        f'SELECT "item", "intent_id" FROM "{CLAIM}" WHERE "tenant" = {{}} AND "item" IN ({marks})', tenant_id, *claims
    )
    return {r["item"]: r["intent_id"] for r in rows}


async def release(tenant_id: str, intent_id: str) -> None:
    """Let go of everything ``intent_id`` holds (inside the transaction that makes it unpayable or refunded)."""
    await fetch(f'DELETE FROM "{CLAIM}" WHERE "tenant" = {{}} AND "intent_id" = {{}}', tenant_id, intent_id)
