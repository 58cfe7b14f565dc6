"""Messages of the charge run to the customer (core.notify's table), each once per product, month and kind.

The notice row (``core_charge_notice``, unique on product, period and kind) is
inserted with ``ON CONFLICT DO NOTHING`` in the same transaction as the queued
message, so two workers or a rerun never tell the customer twice.
"""

from __future__ import annotations

from core.auth.tables import Customer
from core.i18n import N_
from core.localtime import local
from core.money import format_fen
from core.notify.outbox import queue
from core.products import model
from core.products.charge_tables import ChargeNotice

SUBJECT = N_("%(hall)s: the monthly fee of %(product)s")
BODIES = {
    "reminder": N_(
        "The monthly fee of %(amount)s yuan for %(product)s (%(number)s) is due on %(date)s and your balance "
        "will not cover it. Please top up in time."
    ),
    "arrears": N_(
        "The monthly fee of %(amount)s yuan for %(product)s (%(number)s), %(period)s, could not be taken from your "
        "balance. Unless it is paid, %(product)s will be suspended for arrears on %(date)s."
    ),
    "warning": N_(
        "Final warning: %(product)s (%(number)s) will be suspended for arrears on %(date)s: %(amount)s yuan are owed "
        "for %(period)s."
    ),
    "suspended": N_(
        "%(product)s (%(number)s) has been suspended for arrears. It is resumed as soon as the %(amount)s yuan "
        "owed are paid."
    ),
    "resumed": N_("Thank you for your payment: %(product)s (%(number)s) is in service again."),
}


def _translator(hall, language: str):
    from core.web.templating import hall_templates

    return hall_templates(hall).gettext(language)


async def notify(hall, tenant, product: dict, period: str, kind: str, charge: dict) -> int:
    """Tell the customer ``kind`` about ``product``'s ``period`` unless already told (inside the caller's transaction).

    Returns 1 when this call recorded it (even with nobody to send it to), 0 when it was already.
    """
    from core.products.settings import products_settings

    rows = await ChargeNotice.insert(
        ChargeNotice(product_id=product["id"], period=period, kind=kind, sent_at=model.now())
    ).on_conflict(
        target=(ChargeNotice.tenant, ChargeNotice.product_id, ChargeNotice.period, ChargeNotice.kind),
        action="DO NOTHING",
    )
    if not rows or not products_settings(hall, tenant).tell_customers:
        return 1 if rows else 0
    person = (
        await Customer.select(Customer.email, Customer.phone)
        .where(Customer.legacy_id == product["customer_legacy_id"])
        .first()
    )
    channel, recipient = (
        ("email", person["email"]) if person and person["email"] else ("sms", (person or {}).get("phone"))
    )
    if not recipient:
        return 1
    language = tenant.language
    _ = _translator(hall, language)
    params = {
        "hall": tenant.display_name(language),
        "product": product["name"] or product["offering_code"],
        "number": product["number"],
        "amount": format_fen(int(charge["amount_fen"])),
        "period": period,
        "date": local(charge.get("suspend_at"), tenant, "date"),
    }
    message = await queue(
        channel=channel,
        recipient=recipient,
        subject=_(SUBJECT) % params,
        body_text=_(BODIES[kind]) % params,
        purpose="product_charge",
        params={"product": product["id"], "period": period, "kind": kind},
    )
    await ChargeNotice.update({ChargeNotice.message_id: message}).where(ChargeNotice.id == rows[0]["id"])
    return 1


def labels() -> dict[str, dict[str, str]]:
    """What the console shows for a charge's state and reason and a run's state."""
    return {
        "charge_state": {
            "posted": N_("Charged through the billing system"),
            "debited": N_("Taken from the balance"),
            "arrears": N_("In arrears"),
            "paid": N_("Arrears paid"),
            "skipped": N_("Not charged"),
        },
        "charge_reason": {
            "no_fee": N_("No monthly fee"),
            "customer_suspended": N_("Suspended by the customer"),
            "balance_low": N_("The balance does not cover it"),
            "balance_unknown": N_("The balance could not be read"),
            "autopay_refused": N_("Automatic payment refused"),
            "autopay_pending": N_("Automatic payment not answered"),
        },
        "charge_run_state": {"running": N_("Running"), "done": N_("Done"), "interrupted": N_("Interrupted")},
    }
