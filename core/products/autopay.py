"""Automatic payment (代扣) in the charge run: a month the balance does not cover is charged to the account's agreement.

Before a charge goes into arrears, an account with an active agreement
(core/payments/agreements.py) is charged the fee by its provider under the key
``charge:<tenant>:<product>:<period>`` - one payment intent per product and
month, whoever asks and however often. The money is a payment like any other
(``payment.posted`` to the BSS, settled once by the payment core); in the same
transaction, this module's ``payment_succeeded`` credits it to the account
(``core_balance_credit``) and debits the month's charge from it (``debited``,
or an arrears row becomes ``paid``): the balance is untouched, the charge
settled exactly once. A refusal or a time-out falls through to the arrears
path; a late "paid" for a month since paid otherwise stays on the balance.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.legacy.outbox import emit
from core.payments.agreement_charge import charge_agreement
from core.payments.agreements import active_agreement
from core.payments.model import PaymentError
from core.payments.providers import ProviderUnavailable
from core.products import changes, model
from core.products.charge_tables import Charge
from core.products.tables import Product

log = logging.getLogger("hall.products.charges")
OWNER, PURPOSE = "core.products", "autopay"


def charge_key(tenant_id: str, product_id: int, period: str) -> str:
    return f"charge:{tenant_id}:{product_id}:{period}"


async def charge_by_agreement(
    hall, tenant, product: dict, period, fee: int, progress=None, run_id: int | None = None
) -> tuple[str, str]:
    """(outcome, detail): ``none`` (no active agreement), ``succeeded``, ``paid`` (settled by another call),
    ``refused`` or ``pending`` (the arrears path follows; ``detail`` says why, for the charge run's page)."""
    agreement = await active_agreement(product["account_legacy_id"])
    if agreement is None:
        return "none", ""
    label, start, end = period
    if await Charge.exists().where((Charge.product_id == product["id"]) & (Charge.period == label)):
        return "paid", ""  # another worker charged the month meanwhile: nothing to ask the provider for
    try:
        intent, outcome = await charge_agreement(
            hall,
            agreement,
            fee,
            charge_key(tenant.id, product["id"], label),
            owner=OWNER,
            purpose=PURPOSE,
            reference=f"{product['id']}:{label}",
            subject=f"{product['name'] or product['offering_code']} {label}"[:128],
            metadata={
                "product": product["id"],
                "period": label,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "number": product["number"],
                "run": run_id,
            },
            progress=progress,
        )
    except (PaymentError, ProviderUnavailable) as exc:
        log.warning("tenant %s: automatic payment of product %s for %s: %s", tenant.id, product["id"], label, exc)
        return "pending", f"{type(exc).__name__}: {exc}"[:200]
    if outcome in ("succeeded", "paid"):
        return outcome, ""
    return outcome, await _why(intent.id)


async def _why(intent_id: str) -> str:
    """The provider's last word on the charge, from the payment ledger."""
    from core.payments.tables import PaymentEvent

    row = (
        await PaymentEvent.select(PaymentEvent.reason, PaymentEvent.data)
        .where(PaymentEvent.intent_id == intent_id)
        .order_by(PaymentEvent.id, ascending=False)
        .first()
    )
    if row is None:
        return ""
    data = row["data"] if isinstance(row["data"], dict) else {}
    return str(data.get("refused") or row["reason"] or "")[:200]


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def on_paid(hall, tenant, intent) -> None:
    """``payment_succeeded`` of an agreement charge (in the settlement's transaction): credit, then debit the month once."""
    from core.payments.settle import posted_event_id
    from core.products.charges import charge_event_id, payload
    from core.products.resumption import record_credit

    meta = intent.metadata or {}
    account, label = str(meta.get("account", "")), str(meta.get("period", ""))
    await record_credit(account, intent.id, int(intent.amount_fen), posted_event_id(tenant.id, intent.id))
    product = await Product.select().where(Product.id == int(meta.get("product", 0) or 0)).first()
    if product is None or not label:
        return
    event = charge_event_id(tenant.id, product["id"], label)
    now = model.now()
    rows = await Charge.insert(
        Charge(
            product_id=product["id"],
            period=label,
            period_start=_when(meta["period_start"]),
            period_end=_when(meta["period_end"]),
            account_legacy_id=account,
            customer_legacy_id=product["customer_legacy_id"],
            number=product["number"],
            amount_fen=int(intent.amount_fen),
            settle="balance",
            state="debited",
            event_id=event,
            intent_id=intent.id,
            run_id=meta.get("run"),
            created_at=now,
            settled_at=now,
        )
    ).on_conflict(target=(Charge.tenant, Charge.product_id, Charge.period), action="DO NOTHING")
    if rows:
        row = await Charge.select().where(Charge.id == rows[0]["id"]).first()
        await emit("charge.debited", payload(row, product, tenant), event_id=event)
        return
    row = await Charge.select().where((Charge.product_id == product["id"]) & (Charge.period == label)).first()
    done = (
        await Charge.update(
            {Charge.state: "paid", Charge.settled_at: now, Charge.event_id: event, Charge.intent_id: intent.id}
        )
        .where((Charge.id == row["id"]) & (Charge.state == "arrears"))
        .returning(Charge.id)
    )
    if not done:  # paid meanwhile from the balance (or never owed): the money stays on the balance, a credit
        return
    await emit("charge.debited", payload({**row, "event_id": event, "state": "paid"}, product, tenant), event_id=event)
    if row["suspend_change_id"] is not None:
        await changes.cancel_scheduled(row["suspend_change_id"])


async def after_posted(hall, tenant, intent) -> None:
    """``payment_posted`` of an agreement charge (after the commit): a month it paid late lifts its suspension."""
    from core.products import arrears

    meta = intent.metadata or {}
    row = (
        await Charge.select()
        .where((Charge.product_id == int(meta.get("product", 0) or 0)) & (Charge.period == str(meta.get("period", ""))))
        .first()
    )
    if row is not None and row["state"] == "paid" and row["intent_id"] == intent.id:
        await arrears.resume_if_clear(hall, tenant, row)
