"""Renewal: the customer pays the package's price through the payment core; the payment extends the account
exactly once (in the settlement's transaction) and RADIUS is told by a ``renew`` lifecycle step under the
payment's key - retried from the console like any other step when the RADIUS database was away."""

from __future__ import annotations

import datetime as dt

from core.api import N_
from core.api.legacy import emit
from core.api.payments import create_intent, enabled_providers
from core.api.products import ProductError, act

from . import clock
from .accounts import AccountError, by_id, event_id, event_payload, product_of
from .packages import package
from .tables import ACTIVE, DialupAccount, DialupRenewal

PURPOSE = "dialup_renewal"


async def start(hall, tenant, account: dict, token: str, subject: str):
    """The renewal's payment intent (one per confirmation): AccountError when the account cannot be renewed."""
    if account["state"] != ACTIVE:
        raise AccountError(N_("A closed account cannot be renewed."))
    pkg = package(tenant, account["offering_code"])
    if pkg is None:
        raise AccountError(N_("This package is no longer sold; open an account with another package."))
    providers = enabled_providers(hall, tenant)
    if not providers:
        raise AccountError(N_("Online payment is not available at the moment."))
    intent = await create_intent(
        hall,
        purpose=PURPOSE,
        owner="dialup",
        reference=account["username"],
        customer_id=account["customer_legacy_id"],
        amount_fen=pkg.price_fen,
        provider=providers[0],
        subject=subject[:128],
        idempotency_key=f"dialup:renew:{account['id']}:{token}",
        metadata={"username": account["username"], "offering": pkg.code, "days": pkg.days, "hours": pkg.hours},
    )
    await DialupRenewal.insert(
        DialupRenewal(account_id=account["id"], intent_id=intent.id, amount_fen=pkg.price_fen, created_at=clock.now())
    ).on_conflict(action="DO NOTHING")
    return intent


async def paid(hall, tenant, intent) -> None:
    """``payment_succeeded`` of a renewal: the expiry moves on from the later of now and the old expiry."""
    if intent.purpose != PURPOSE:
        return
    renewal = (
        await DialupRenewal.select()
        .where((DialupRenewal.intent_id == intent.id) & (DialupRenewal.state == "started"))
        .first()
    )
    account = await by_id(renewal["account_id"]) if renewal else None
    if account is None:
        return
    if account["state"] != ACTIVE:  # closed while the customer was paying: the money goes back (refund_closed)
        await DialupRenewal.update({DialupRenewal.state: "refund_due", DialupRenewal.paid_at: clock.now()}).where(
            DialupRenewal.id == renewal["id"]
        )
        return
    pkg = package(tenant, account["offering_code"])
    days, hours = intent.metadata.get("days") or (pkg.days if pkg else 31), intent.metadata.get("hours") or 0
    stamp = clock.now()
    before = account["expires_at"]
    after = max(stamp, before or stamp) + dt.timedelta(days=int(days))
    values = {DialupAccount.expires_at: after, DialupAccount.blocked: "", DialupAccount.updated_at: stamp}
    if account["kind"] == "hours":
        values[DialupAccount.seconds_total] = account["seconds_total"] + int(hours) * 3600
    if account["kind"] == "money":
        values[DialupAccount.money_fen] = account["money_fen"] + intent.amount_fen
    await DialupAccount.update(values).where(DialupAccount.id == account["id"])
    await DialupRenewal.update(
        {
            DialupRenewal.state: "paid",
            DialupRenewal.paid_at: stamp,
            DialupRenewal.expires_before: before,
            DialupRenewal.expires_after: after,
        }
    ).where(DialupRenewal.id == renewal["id"])
    await emit(
        "dialup.account.renewed",
        event_payload(tenant, {**account, "expires_at": after}, payment=intent.id, amount_fen=intent.amount_fen),
        event_id=event_id(tenant, intent.id, "renewed"),
    )


async def push_paid(hall, tenant, account: dict) -> None:
    """Tell RADIUS of renewals paid but not yet pushed (the step's key is the payment's: done once)."""
    waiting = await DialupRenewal.select().where(
        (DialupRenewal.account_id == account["id"]) & (DialupRenewal.state == "paid")
    )
    if not waiting:
        return
    product = await product_of(account)
    if product is None:
        return
    for renewal in waiting:
        try:
            req = await act(hall, tenant, product["id"], "renew", key=f"dialup:renew:{renewal['intent_id']}")
        except ProductError:
            continue
        if req["state"] == "done":
            await DialupRenewal.update({DialupRenewal.state: "applied"}).where(DialupRenewal.id == renewal["id"])


async def refund_closed(hall) -> int:
    """Give back renewals paid for an account that was closed meanwhile; each claimed once, so refunded once."""
    from core.api.payments import PaymentError, refund

    done = 0
    for renewal in await DialupRenewal.select().where(DialupRenewal.state == "refund_due"):
        claimed = (
            await DialupRenewal.update({DialupRenewal.state: "refunding"})
            .where((DialupRenewal.id == renewal["id"]) & (DialupRenewal.state == "refund_due"))
            .returning(DialupRenewal.id)
        )
        if not claimed:
            continue
        try:
            await refund(
                hall,
                renewal["intent_id"],
                renewal["amount_fen"],
                reason="dialup: renewal of a closed account",
                operator="system:dialup",
            )
        except PaymentError:
            continue  # stays "refunding": an operator sees the payment and refunds it by hand
        await DialupRenewal.update({DialupRenewal.state: "refunded"}).where(DialupRenewal.id == renewal["id"])
        done += 1
    return done
