"""Holding a number (预占): at most one live hold per number and per customer and purpose (unique indexes), a limit
per real-name identity, expiry ignored on read and swept by a job, each hold and release told to the BSS (outbox).

Taking a hold is one transaction: clear this number's expired hold (if any), count the identity's live holds,
insert. Two customers picking the same number at the same moment both reach the insert; the unique index on
(tenant, live_number) lets one through and the other gets "just taken" - on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

from core.api import N_
from core.api.db import transaction
from core.api.legacy import emit
from . import clock
from core.api.products import ProductOrder
from core.api.web import FieldErrors

from .tables import EXPIRED, HELD, INSTALLED, LIVE_STATES, ORDERED, RELEASED, NumberHold

JUST_TAKEN = N_("Someone else has just taken this number. Please choose another one.")
TOO_MANY = N_("You already hold %(count)s numbers, the most one person may hold at once. Release one first.")
INSTALLED_GRACE = dt.timedelta(days=1)
END_STATES = {"completed": INSTALLED, "rejected": RELEASED, "cancelled": RELEASED}


def _refuse(message: str, **params) -> FieldErrors:
    problems = FieldErrors()
    problems.add("number", message, **params)
    return problems


def live(at: dt.datetime | None = None):
    """The condition of a hold that counts now: live, and not past its time (an expired one is gone even unswept)."""
    at = at or clock.now()
    return (
        NumberHold.live_number.is_not_null()
        & NumberHold.state.is_in(list(LIVE_STATES))
        & (NumberHold.expires_at.is_null() | (NumberHold.expires_at > at))
    )


async def _end(where, state: str, at: dt.datetime) -> list[dict]:
    """End the holds ``where`` selects (inside a transaction) and tell the BSS each is released; the rows ended."""
    rows = await NumberHold.select().where(where & NumberHold.live_number.is_not_null())
    for row in rows:
        await NumberHold.update(
            {
                NumberHold.state: state,
                NumberHold.live_number: None,
                NumberHold.live_holder: None,
                NumberHold.live_address: None,
                NumberHold.ended_at: at,
            }
        ).where(NumberHold.id == row["id"])
        if state != INSTALLED:
            await emit(
                "number.released",
                {"number": row["number"], "customer_id": row["customer_legacy_id"], "hold": row["id"], "reason": state},
                event_id=f"phone-release-{row['id']}",
            )
    return rows


async def take(
    settings, *, number: str, kind: str, account_id: int, customer_id: str, identity: str, grade=None, pool=None
) -> dict:
    """Hold ``number`` for the customer's installation; FieldErrors on ``number`` when taken or over the limit.

    The customer's previous hold for the same purpose is released first (one per customer per order).
    """
    at = clock.now()
    until = at + dt.timedelta(minutes=settings.hold_minutes)
    try:
        async with transaction():
            await _end((NumberHold.number == number) & (NumberHold.expires_at <= at), EXPIRED, at)
            await _end(
                (NumberHold.account_id == account_id) & (NumberHold.state == HELD) & (NumberHold.purpose == "install"),
                RELEASED,
                at,
            )
            if await NumberHold.exists().where(just_installed(at) & (NumberHold.number == number)):
                raise _refuse(JUST_TAKEN)
            if identity:
                count = await NumberHold.count().where(live(at) & (NumberHold.identity == identity))
                if count >= settings.holds_per_identity:
                    raise _refuse(TOO_MANY, count=count)
            row = NumberHold(
                number=number,
                kind=kind,
                account_id=account_id,
                customer_legacy_id=customer_id,
                identity=identity,
                purpose="install",
                state=HELD,
                live_number=number,
                live_holder=f"{account_id}:install",
                grade_code=grade.code if grade else "",
                prepay_fen=grade.prepay_fen if grade else 0,
                min_spend_fen=max(grade.min_spend_fen if grade else 0, pool.min_spend_fen if pool else 0),
                price_fen=pool.price_fen if pool else 0,
                created_at=at,
                expires_at=until,
            )
            await row.save()
            await emit(
                "number.reserved",
                {"number": number, "customer_id": customer_id, "hold": row.id, "until": until.isoformat()},
                event_id=f"phone-reserve-{row.id}",
            )
    except FieldErrors:
        raise
    except Exception as exc:  # the unique index: someone else holds it (or this customer, twice at once)
        if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
            raise _refuse(JUST_TAKEN) from exc
        raise
    return await NumberHold.select().where(NumberHold.id == row.id).first()


async def current(account_id: int) -> dict | None:
    """The customer's live hold for an installation, or None (an expired one is not returned)."""
    return (
        await NumberHold.select()
        .where(live() & (NumberHold.account_id == account_id) & (NumberHold.purpose == "install"))
        .order_by(NumberHold.id, ascending=False)
        .first()
    )


async def release(account_id: int, hold_id: int) -> bool:
    """The customer lets their hold go (only one not yet in an order)."""
    async with transaction():
        ended = await _end(
            (NumberHold.id == hold_id) & (NumberHold.account_id == account_id) & (NumberHold.state == HELD),
            RELEASED,
            clock.now(),
        )
    return bool(ended)


async def attach(hold_id: int, order_id: int, pay_until: dt.datetime | None = None) -> None:
    """The hold goes into the order: it is kept while the order waits for its payment.

    ``pay_until``: the last moment the order's payment can still be made (the payment core closes an unpaid
    payment at the gateway after ``[payments] expire_after_minutes``). The hold lasts at least that long, so a
    payment that succeeds always finds its number still held, and the work order then keeps it for good; an
    order given up unpaid is cancelled and frees it. The customer may start another application meanwhile:
    the hold leaves their "one per customer" slot.
    """
    await NumberHold.update(
        {NumberHold.state: ORDERED, NumberHold.order_id: order_id, NumberHold.live_holder: None}
    ).where((NumberHold.id == hold_id) & (NumberHold.state == HELD))
    if pay_until is not None:  # never shortened: a tenant's hold_minutes may already be longer
        await NumberHold.update({NumberHold.expires_at: pay_until}).where(
            (NumberHold.id == hold_id)
            & (NumberHold.order_id == order_id)
            & (NumberHold.state == ORDERED)
            & (NumberHold.expires_at < pay_until)
        )


def just_installed(at: dt.datetime | None = None):
    """A number installed in the last day: taken, whatever the BSS's pool says until it has caught up."""
    return (NumberHold.state == INSTALLED) & (NumberHold.ended_at > (at or clock.now()) - INSTALLED_GRACE)


async def held_numbers(numbers: list[str]) -> set[str]:
    """Which of ``numbers`` are held now or were just installed (not to be offered)."""
    if not numbers:
        return set()
    rows = await NumberHold.select(NumberHold.number).where(
        (live() | just_installed()) & NumberHold.number.is_in(numbers)
    )
    return {r["number"] for r in rows}


async def sweep(at: dt.datetime | None = None) -> int:
    """End every hold past its time (released in the BSS); the number of holds swept."""
    at = at or clock.now()
    async with transaction():
        ended = await _end(NumberHold.state.is_in(list(LIVE_STATES)) & (NumberHold.expires_at <= at), EXPIRED, at)
    return len(ended)


async def order_ended(order: dict):
    """workorder_changed: paid (work order opened) keeps the number for good; completed uses it; else frees it."""
    if order.get("type") != "phone.install":
        return None
    number = (order.get("data") or {}).get("product_order") or ""  # set before the product order knows its work order
    found = await ProductOrder.select(ProductOrder.id).where(ProductOrder.number == number).first()
    if found is None:
        return None
    mine = NumberHold.order_id == found["id"]
    state = END_STATES.get(order["state"])
    if state is None:
        await NumberHold.update({NumberHold.expires_at: None}).where(mine & (NumberHold.state == ORDERED))
        return None
    await _end(mine, state, clock.now())
    return None
