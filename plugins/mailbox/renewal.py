"""Fees paid in advance online (续费): a payment through the payment core for N months of a mailbox's fee.

The payment core posts the paid intent to the BSS (``payment.posted``, with the
paying number's account in its metadata), which credits the account the charge
run debits: that is how paying settles arrears and a mailbox suspended for them
opens again (the run re-reads the balance and resumes it). The hall records the
amount on the mailbox for the customer's page.
"""

from __future__ import annotations

from core.api import N_
from core.api.payments import PaymentError, create_intent, enabled_providers
from core.api.products import Product

from .services import field_error
from .tables import Mailbox

OWNER = "mailbox"
PURPOSE = "mailbox_renewal"


async def start(hall, tenant, settings, box: dict, *, months_value: str, token: str, subject: str):
    """The payment intent for ``months`` of the mailbox's fee; FieldErrors when it cannot be paid."""
    from .services import fee_of

    if box["state"] not in ("active", "suspended"):
        raise field_error("months", N_("This mailbox is closed; it cannot be renewed."))
    try:
        months = int(months_value) if months_value.isascii() and months_value.isdigit() else 0
    except ValueError:
        months = 0
    if months not in settings.renew_months:
        raise field_error("months", N_("Choose one of the periods."))
    fee = fee_of(settings, box["offering_code"])
    if fee <= 0:
        raise field_error("months", N_("This mailbox has no fee to pay."))
    providers = enabled_providers(hall, tenant)
    if not providers:
        raise PaymentError("no payment provider")
    product = await Product.select(Product.account_legacy_id).where(Product.id == box["product_id"]).first()
    account = (product or {}).get("account_legacy_id") or box["billing_number"]
    reference = f"{box['id']}:{months}:{token[:24]}"
    return await create_intent(
        hall,
        purpose=PURPOSE,
        owner=OWNER,
        reference=reference,
        customer_id=box["customer_legacy_id"],
        amount_fen=fee * months,
        provider=providers[0],
        subject=subject[:128],
        idempotency_key=f"mailbox:{reference}",
        metadata={"mailbox": box["address"], "number": box["billing_number"], "account": account, "months": months},
    )


async def paid(intent) -> None:
    """In the settlement's transaction, once per intent: the mailbox's prepaid total grows."""
    box_id = int(intent.reference.split(":", 1)[0])
    await Mailbox.update({Mailbox.prepaid_fen: Mailbox.prepaid_fen + int(intent.amount_fen)}).where(
        Mailbox.id == box_id
    )
