"""What the customer pages show: a receipt, a customer's top-ups, and the links the core's payment pages get."""

from __future__ import annotations

from core.api import local
from core.api.payments import PaymentIntent, customer_legacy_id, get_intent, refresh_from_gateway
from core.api.web import hall_of, info, paginate
from plugins.topup.tables import TopUp

HISTORY_LINKS = 200  # the core's payment history lists at most 100 payments


async def receipt_links(request, template: str) -> dict:
    """``topup_receipt`` on the payment result page, ``topup_receipts`` (intent → receipt) on the payment history."""
    if template == "pay/return.html":
        intent_id = request.path_params.get("intent_id")
        if not isinstance(intent_id, str):
            return {}
        row = await TopUp.select(TopUp.receipt_id).where(TopUp.intent_id == intent_id[:64]).first()
        return {"topup_receipt": row["receipt_id"]} if row else {}
    legacy_id = await customer_legacy_id(request)
    if not legacy_id:
        return {}
    rows = (
        await TopUp.select(TopUp.intent_id, TopUp.receipt_id)
        .where(TopUp.payer_id == legacy_id)
        .order_by(TopUp.id, ascending=False)
        .limit(HISTORY_LINKS)
    )
    return {"topup_receipts": {r["intent_id"]: r["receipt_id"] for r in rows}}


async def receipt_context(request, row: dict) -> dict:
    """A receipt: the top-up as the payer confirmed it and its payment as the gateway settled it (asked again while open)."""
    intent = await get_intent(row["intent_id"])
    if intent is not None and intent.open:
        intent = await refresh_from_gateway(hall_of(request), info(request).tenant, intent, unless_asked_lately=True)
    tenant = info(request).tenant
    return {
        "topup": row,
        "intent": intent,
        "paid_at": local((intent.succeeded_at if intent else None) or row["paid_at"], tenant, "second"),
        "created_at": local(row["created_at"], tenant, "second"),
        "signed_in": info(request).customer is not None,
    }


async def history_page(request, legacy_id: str):
    """The customer's page of top-ups: onto the numbers they hold, and those they paid while logged in; newest first."""
    query = (
        TopUp.select()
        .where((TopUp.holder_id == legacy_id) | (TopUp.payer_id == legacy_id))
        .order_by(TopUp.id, ascending=False)
    )
    page = await paginate(request, query)
    ids = [r["intent_id"] for r in page.rows]
    states = (
        {
            r["public_id"]: r["state"]
            for r in await PaymentIntent.select(PaymentIntent.public_id, PaymentIntent.state).where(
                PaymentIntent.public_id.is_in(ids)
            )
        }
        if ids
        else {}
    )
    tenant = info(request).tenant
    rows = [
        {
            **r,
            "when": local(r["paid_at"] or r["created_at"], tenant),
            "intent_state": states.get(r["intent_id"], "created"),
            "mine_paid": r["payer_id"] == legacy_id,
            "mine_held": r["holder_id"] == legacy_id,
        }
        for r in page.rows
    ]
    return rows, page
