"""Renewing a dial-up account through the public API: ``POST /dialupRenewal`` names the account's product (TMF637, from
``GET /product``) and answers a TMF676 Payment with ``checkoutUrl``, as ``POST /payment`` and ``POST /topUp`` do.

Why not a TMF622 productOrder: a renewal is no order in the hall. The account page's renewal is a payment of the
package's price (:func:`renewals.start`); the payment, once it succeeds, extends the account exactly once in the
settlement's transaction (:func:`renewals.paid`), and RADIUS is told by the ``renew`` step under the payment's key
(the account page or the job ``dialup.enforce``). An order would be a second record of the same thing. This resource
calls that same code: the same checks (an open account, a package still sold, a gateway), the same idempotency key
(``externalId`` plays the page form's token: the same one again is the same payment)."""

from __future__ import annotations

import secrets

from litestar import Request, Response, post
from msgspec import Struct

from core.api import N_
from core.api.payments import PaymentError, customer_legacy_id
from core.api.products import Product
from core.api.tmf import ApiError, Payment, errors, payment_created
from core.api.web import gettext, hall_of, info

from . import SPEC, renewals
from .accounts import AccountError
from .tables import DialupAccount

NO_SUCH = N_("No such product.")


class ProductRef(Struct):
    id: str


class RenewalCreate(Struct):
    """``product.id``: the dial-up account's product; ``externalId``: the app's own reference (a retry's key)."""

    product: ProductRef
    externalId: str | None = None


async def account_of(customer_id: str, product_id: str) -> dict | None:
    """The customer's own dial-up account behind a product id (its product row, or its user name as the number)."""
    pk = int(product_id) if product_id.isascii() and product_id.isdigit() and 0 < int(product_id) < 2**31 else None
    if pk is None or not customer_id:
        return None
    product = (
        await Product.select()
        .where((Product.id == pk) & (Product.customer_legacy_id == customer_id) & (Product.specification == SPEC))
        .first()
    )
    if product is None:
        return None
    mine = DialupAccount.customer_legacy_id == customer_id
    return (
        await DialupAccount.select().where(mine & (DialupAccount.product_id == pk)).first()
        or await DialupAccount.select()
        .where(mine & (DialupAccount.username == product["number"]) & DialupAccount.product_id.is_null())
        .first()
    )


@post("/dialupRenewal", opt={"scope": "customer.write"}, name="dialup:api.renewal.create", responses=errors(409))
async def create_renewal(request: Request, data: RenewalCreate) -> Response[Payment]:
    """Renew the account for another period of its package: 201 with the payment and its ``checkoutUrl``; the account
    is extended when the payment succeeds. ``409`` when it cannot be renewed (closed, package no longer sold, no
    gateway); another customer's product is ``404``."""
    account = await account_of(await customer_legacy_id(request), data.product.id[:20])
    if account is None:
        raise ApiError(404, NO_SUCH, "not_found")
    _ = gettext(request)
    try:
        intent = await renewals.start(
            hall_of(request),
            info(request).tenant,
            account,
            (data.externalId or "")[:40] or secrets.token_urlsafe(16),
            _("Renewal of dial-up account %(username)s") % {"username": account["username"]},
        )
    except AccountError as exc:
        raise ApiError(409, exc.message, "refused", **exc.params) from None
    except PaymentError:
        raise ApiError(409, N_("Online payment is not available at the moment."), "unavailable") from None
    return payment_created(request, intent)


HANDLERS = [create_renewal]
