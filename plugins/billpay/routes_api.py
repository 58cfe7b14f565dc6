"""The public API's ``POST /payment`` (TMF676): pay bills from an app or a kiosk. The answer carries ``checkoutUrl``,
the hall page that sends the payer on to the tenant's gateway (the same intents and rules as the web page)."""

from __future__ import annotations

from litestar import Request, Response, post
from msgspec import Struct

from core.api import N_
from core.api.payments import PaymentError
from core.api.tmf import ApiError, Payment, errors, payment_created
from core.api.web import hall_of, info
from plugins.billpay.owed import owed_for_payers
from plugins.billpay.paying import PayRefused, pay_intent
from plugins.billpay.views import payers_of


class ItemRef(Struct):
    id: str


class PaymentItem(Struct):
    item: ItemRef


class PaymentCreate(Struct):
    """``paymentItem[].item.id``: the customerBill ids to pay, all of one number or one account."""

    paymentItem: list[PaymentItem]


@post("/payment", opt={"scope": "customer.write"}, name="billpay:api.payment.create", responses=errors(409))
async def create_payment(request: Request, data: PaymentCreate) -> Response[Payment]:
    """Start paying the bills named; 201 with the payment and its ``checkoutUrl``."""
    wanted = [i.item.id[:64] for i in data.paymentItem][:24]
    if not wanted:
        raise ApiError(400, N_("Name at least one bill in paymentItem."), "invalid")
    customer_id, payers = await payers_of(request)
    owed = next((o for o in await owed_for_payers(payers) if any(b.legacy_id in wanted for b in o.bills)), None)
    if owed is None or not all(any(b.legacy_id == w for b in owed.bills) for w in wanted):
        raise ApiError(
            404, N_("No bill with that id is owed by this customer (all of one number or account)."), "not_found"
        )
    try:
        intent = await pay_intent(
            hall_of(request), info(request).tenant, customer_id=customer_id, owed=owed, bill_ids=wanted
        )
    except PayRefused as refused:
        raise ApiError(409, refused.message, "refused", **refused.params) from None
    except PaymentError:
        raise ApiError(409, N_("Online payment is not available at the moment."), "unavailable") from None
    return payment_created(request, intent)


HANDLERS = [create_payment]
