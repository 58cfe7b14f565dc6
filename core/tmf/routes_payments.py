"""TMF676 payment and refund: the customer's payments and their refunds. A payment is created by the plugin that owns
what is paid for (billpay's bills, topup's top-ups) with :func:`payment_created`, which answers with ``checkoutUrl``:
a hall page (``api:checkout``, signed and short-lived) that sends whoever opens it to the tenant's gateway."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.i18n import N_
from core.payments.intents import get_intent, intents_of
from core.payments.model import Intent
from core.payments.return_links import make_token, token_valid
from core.payments.routes_customer import absolute_url, checkout_response
from core.payments.tables import Refund
from core.tmf import models, reads
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import Fields, Limit, Offset, href, listing, money, one, when
from core.tenancy import require_tenant
from core.web.render import hall_of
from core.web.urls import url_for

READ = {"scope": "customer.read"}
NO_SUCH = N_("No such resource.")


def checkout_url(request: Request, intent: Intent) -> str:
    token = make_token(hall_of(request).secret, require_tenant().id, intent.id)
    return absolute_url(request, url_for(request, "api:checkout", intent_id=intent.id, token=token))


def payment_view(request: Request, intent: Intent, *, checkout: bool = False) -> dict:
    return {
        "id": intent.id,
        "href": href(request, "payment", intent.id),
        "@type": "Payment",
        "status": intent.state,
        "description": intent.subject,
        "paymentDate": when(intent.succeeded_at),
        "statusDate": when(intent.updated_at),
        "totalAmount": money(intent.amount_fen),
        "channel": {"id": intent.provider},
        "purpose": intent.purpose,
        "checkoutUrl": checkout_url(request, intent) if checkout and intent.open else None,
    }


def payment_created(request: Request, intent: Intent) -> Response:
    """What a plugin's create-payment route answers: 201, the payment, and where to pay it."""
    return one(payment_view(request, intent, checkout=True), status=201)


@get("/payment", opt=READ, name="api:payment.list", responses=errors())
async def list_payments(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.Payment]]:
    """The customer's payments (bills, top-ups, orders), newest first."""
    h = await reads.holdings(api_caller(request).customer)
    rows = await intents_of(customer_id=h.legacy_id, limit=offset + limit)
    return listing(
        [payment_view(request, i) for i in rows[offset:]],
        len(await intents_of(customer_id=h.legacy_id, limit=10_000)),
        fields,
    )


async def _own(request: Request, intent_id: str) -> Intent:
    h = await reads.holdings(api_caller(request).customer)
    intent = await get_intent(intent_id[:32])
    if intent is None or intent.customer_id != h.legacy_id:
        raise ApiError(404, NO_SUCH, "not_found")
    return intent


@get("/payment/{payment_id:str}", opt=READ, name="api:payment", responses=errors())
async def get_payment(request: Request, payment_id: FromPath[str], fields: Fields = None) -> Response[models.Payment]:
    """One payment; while it is open, with a fresh ``checkoutUrl``."""
    return one(payment_view(request, await _own(request, payment_id), checkout=True), fields)


def _refund(request: Request, row: dict) -> dict:
    return {
        "id": row["refund_id"],
        "href": href(request, "refund", row["refund_id"]),
        "@type": "Refund",
        "status": row["state"],
        "refundDate": when(row["created_at"]),
        "amount": money(row["amount_fen"]),
        "payment": {"id": row["intent_id"], "href": href(request, "payment", row["intent_id"])},
        "reason": row["reason"] or None,
    }


@get("/refund", opt=READ, name="api:refund.list", responses=errors())
async def list_refunds(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.Refund]]:
    """Refunds of the customer's payments, newest first."""
    h = await reads.holdings(api_caller(request).customer)
    ids = [i.id for i in await intents_of(customer_id=h.legacy_id, limit=10_000)] or ["-"]
    where = Refund.intent_id.is_in(ids)
    rows = await Refund.select().where(where).order_by(Refund.id, ascending=False).offset(offset).limit(limit)
    return listing([_refund(request, r) for r in rows], await Refund.count().where(where), fields)


@get(
    "/api/tmf/checkout/{intent_id:str}/{token:str}",
    opt={"auth": "public"},
    include_in_schema=False,
    name="api:checkout",
)
async def checkout(request: Request, intent_id: FromPath[str], token: FromPath[str]) -> Response:
    """The page a ``checkoutUrl`` opens (in the app's browser or the kiosk's): on to the gateway."""
    intent = await get_intent(intent_id[:32])
    if intent is None or not token_valid(hall_of(request).secret, require_tenant().id, intent.id, token):
        raise NotFoundException()
    return await checkout_response(request, intent)


HANDLERS = [list_payments, get_payment, list_refunds]
PAGES = [checkout]
