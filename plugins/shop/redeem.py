"""Card top-up (充值卡充值): serial + PIN credited onto any number of the tenant, exactly once under any concurrency.

The card moves ``sold → redeemed`` by ONE conditional UPDATE (``WHERE serial =
… AND pin_hash = … AND state = 'sold'``) in the same transaction as the
redemption row and the ``card.redeemed`` outbox event the BSS credits the
number from. Of any number of concurrent redemptions of one card, one
updates a row; the others update none and are refused - there is no read
then write for two requests to interleave in.

Every failure (unknown serial, wrong PIN, a card not sold or already used,
an unknown or closed number) gets the same message, so the form tells a
guesser nothing. Failures are limited per client address, per logged-in
customer and per number (:mod:`plugins.shop.limits`); only failures count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.api import N_
from core.api.db import transaction
from core.api.identity import number_holder
from core.api.legacy import emit, forget_balance
from core.api.payments import now
from plugins.shop import limits
from plugins.shop.pins import PinKeys, clean_pin
from plugins.shop.tables import REDEEMED, SOLD, Card, Redemption

log = logging.getLogger("hall.shop")
FAILED = N_("This card cannot be used for this number. Check the number, the serial and the PIN.")
EVENT_KIND = "card.redeemed"


class RedeemFailed(Exception):
    """Any failure: one message for all (the reason is logged, never shown)."""


@dataclass(frozen=True)
class Redeemed:
    serial: str
    number: str
    amount_fen: int
    event_id: str


def clean_number(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isascii() and ch.isdigit())[:20]


def clean_serial(text: str) -> str:
    return (text or "").strip().upper()[:32]


async def redeem(
    hall,
    tenant,
    settings,
    keys: PinKeys,
    *,
    serial: str,
    pin: str,
    number: str,
    customer_id: str,
    own_numbers,
    address: str,
) -> Redeemed:
    """Credit the card onto ``number``; RedeemFailed or limits.LockedOut otherwise (the caller shows one message)."""
    serial, pin, number = clean_serial(serial), clean_pin(pin), clean_number(number)
    held = await limits.reserve_failure(
        settings, address=address, customer_id=customer_id, number=number, own=number in set(own_numbers or ())
    )
    found = await number_holder(hall, tenant, number) if number and serial and pin else None
    if found is None or found[0]["status"] == "closed" or found[1]["status"] == "closed":
        log.info("card top-up refused: number unknown or closed (address %s)", address)
        raise RedeemFailed()
    line = found[0]
    account = line.get("account_legacy_id") or number
    stamp = now()
    async with transaction():
        won = (
            await Card.update({Card.state: REDEEMED, Card.redeemed_at: stamp})
            .where((Card.serial == serial) & (Card.pin_hash == keys.hash(serial, pin)) & (Card.state == SOLD))
            .returning(Card.id, Card.face_value_fen)
        )
        if not won:
            log.info("card top-up refused: no sold card with that serial and PIN (address %s)", address)
            raise RedeemFailed()
        card_id, amount = won[0]["id"], int(won[0]["face_value_fen"])
        event_id = f"shop-card-{tenant.id}-{card_id}"
        await Redemption.insert(
            Redemption(
                card_id=card_id,
                serial=serial,
                number=number,
                account=account,
                amount_fen=amount,
                customer_id=customer_id,
                client_address=address[:64],
                event_id=event_id,
                at=stamp,
            )
        )
        await emit(
            EVENT_KIND,
            {
                "purpose": "card_topup",
                "serial": serial,
                "amount_fen": amount,
                "currency": "CNY",
                "redeemed_at": stamp.isoformat(),
                "metadata": {"number": number, "account": account},
            },
            event_id=event_id,
        )
        await forget_balance(account)
    await limits.forgive(held)  # a success is not a failure: take this attempt back
    log.info("card %s: %d fen credited onto %s", serial, amount, number)
    return Redeemed(serial, number, amount, event_id)
