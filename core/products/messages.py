"""Milestones of an order: recorded for the customer's page, and told to them by SMS or e-mail (core.notify).

A milestone is written in the transaction that reaches it, and so is its
message (the durable message table; ``core.deliver_messages`` sends it), so
the customer hears of exactly what committed.
"""

from __future__ import annotations

from core.i18n import N_
from core.localtime import local
from core.notify.outbox import queue
from core.products import model
from core.products.tables import ProductOrderMilestone

SUBJECT = N_("%(hall)s: your order %(number)s")
BODIES = {
    "placed": N_("We have received your order %(number)s: %(title)s."),
    "awaiting_payment": N_("Your order %(number)s (%(title)s) waits for your payment of %(amount)s yuan."),
    "paid": N_("We have received your payment for order %(number)s."),
    "started": N_("We have started work on your order %(number)s."),
    "step": N_("Your order %(number)s is now at this step: %(step)s."),
    "completed": N_("Your order %(number)s is complete: %(title)s."),
    "failed": N_("We could not carry out your order %(number)s. %(note)s"),
    "cancelled": N_("Your order %(number)s has been cancelled. %(note)s"),
    "applied": N_("%(title)s has taken effect (order %(number)s)."),
    "note": N_("A note on your order %(number)s: %(note)s"),
}
EFFECTIVE = N_("It takes effect on %(date)s.")
CODES_WITHOUT_MESSAGE = ("held", "retried")


def _translator(hall, language: str):
    from core.web.templating import hall_templates

    return hall_templates(hall).gettext(language)


async def milestone(
    hall,
    tenant,
    order: dict,
    code: str,
    *,
    note: str = "",
    public: bool = True,
    values: dict | None = None,
    effective_at=None,
) -> None:
    """Record the milestone ``code`` of ``order`` and, when public and the tenant says so, tell the customer."""
    await ProductOrderMilestone.insert(
        ProductOrderMilestone(
            order_id=order["id"], code=code, state=order["state"], note=note[:500], public=public, at=model.now()
        )
    )
    if not public or code in CODES_WITHOUT_MESSAGE or code not in BODIES:
        return
    from core.products.settings import products_settings

    if not products_settings(hall, tenant).tell_customers:
        return
    channel, recipient = (
        ("email", order["contact_email"]) if order["contact_email"] else ("sms", order["contact_phone"])
    )
    if not recipient:
        return
    language = order["language"] or tenant.language
    _ = _translator(hall, language)
    params = {
        "hall": tenant.display_name(language),
        "number": order["number"],
        "title": order["title"],
        "note": note,
        "amount": "",
        "step": "",
        **(values or {}),
    }
    if params["step"]:
        params["step"] = _(params["step"])  # a step's label is a message id
    body = _(BODIES[code]) % params
    if effective_at is not None:
        body += " " + _(EFFECTIVE) % {"date": local(effective_at, tenant, "date")}
    await queue(
        channel=channel,
        recipient=recipient,
        subject=_(SUBJECT) % params,
        body_text=body.strip(),
        purpose="product_order",
        params={"number": order["number"], "milestone": code},
    )
