"""TMF622 ``POST /productOrder``, one resource for every plugin that sells: plugins only declare the kinds of order item
they take (:class:`ProductOrderKind`, returned from ``register_api_routes`` beside their handlers) and the core picks the
kind by the item's ``action`` and the product specification of its offering (``add``) or of its product (``modify``,
``delete``), as the core's catalog and inventory know them.

Why one resource: TM Forum fixes the path, so two plugins cannot each mount ``POST /productOrder``; and the reading of
the body (items, references, characteristics, ``externalId``), the ownership checks and the error bodies are the same
for every kind. What a kind does is the plugin's own service, the one its web page calls (same validation, same payment
step): the kind gets the characteristics as a form and answers the order it placed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable

from litestar import Request, Response, post
from msgspec import Struct

from core.i18n import N_
from core.products.catalog import catalog
from core.products.model import NotEligible, ProductError
from core.products.tables import Product, ProductOrder
from core.tmf import models, reads
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import one
from core.web.context import info
from core.web.forms import FieldErrors, Form
from core.web.render import gettext, hall_of

ACTIONS = ("add", "modify", "delete")


class Ref(Struct):
    id: str


class Characteristic(Struct):
    name: str
    value: str | int | bool | None = None


class ItemIn(Struct):
    action: str
    product: Ref | None = None
    productOffering: Ref | None = None
    productCharacteristic: list[Characteristic] = []


class ProductOrderCreate(Struct):
    productOrderItem: list[ItemIn]
    externalId: str | None = None


@dataclass(frozen=True)
class OrderRequest:
    """What a kind's ``place`` gets: the caller, the item read and checked, and its characteristics as a web form."""

    request: Request
    hall: Any
    tenant: Any
    account_id: int  # the signed-in customer (CustomerAccount id)
    language: str
    action: str
    form: Form  # productCharacteristic name → value, read as the plugin's web form reads its fields
    token: str  # externalId (a retry with the same one is the same order), or a fresh one
    product: dict | None = None  # the customer's own product (modify, delete, and add with a product reference)
    offering: Any = None  # the catalog's ProductOffering (add, and modify with an offering)

    def gettext(self):
        return gettext(self.request)


@dataclass(frozen=True)
class ProductOrderKind:
    """A kind of order item a plugin takes through ``POST /productOrder`` (declared in ``register_api_routes``).

    ``place`` is the plugin's service call; it answers the ``core_product_order`` row it placed (or found again for
    the same ``token``) and raises what the web page's service raises: ``FieldErrors`` (400, the characteristic's
    name), ``NotEligible`` or ``ProductError`` (409 or the error's 4xx). ``characteristic``, when set, must be among
    the item's characteristics: two kinds of one action and specification are told apart by it."""

    action: str
    specification: str
    place: Callable[[OrderRequest], Awaitable[dict]]
    characteristic: str = ""
    plugin: str = field(default="", compare=False)


def order_kinds(hall) -> list[ProductOrderKind]:
    """Every plugin's kinds, those with a ``characteristic`` first; cached on the hall."""
    cached = hall.state.get("core.api_order_kinds")
    if cached is not None:
        return cached
    from core.utils import flatten

    kinds = []
    for plugin, declared in sorted(hall.plugins.per_plugin("register_api_routes", hall=hall).items()):
        kinds += [replace(k, plugin=plugin) for k in flatten([declared]) if isinstance(k, ProductOrderKind)]
    kinds.sort(key=lambda k: not k.characteristic)
    hall.state["core.api_order_kinds"] = kinds
    return kinds


def _value(v) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    return "" if v is None else str(v)


async def _own_product(account_id: int, ref: Ref | None) -> dict | None:
    if ref is None:
        return None
    pk = int(ref.id) if ref.id.isascii() and ref.id.isdigit() and 0 < int(ref.id) < 2**31 else None
    h = await reads.holdings(account_id)
    row = await Product.select().where((Product.id == pk) & (Product.customer_legacy_id == h.legacy_id)).first()
    if row is None or (row["number"] and row["number"] not in h.numbers):
        raise ApiError(404, N_("No such product."), "not_found")
    return row


def _field_errors(request: Request, problems: FieldErrors) -> ApiError:
    _ = gettext(request)
    text = "; ".join(
        f"{name}: {_(message) % params if params else _(message)}"
        for name, (message, params) in problems.errors.items()
    )
    return ApiError(400, text, "invalid_characteristic")


@post("/productOrder", opt={"scope": "customer.write"}, name="api:product_order.create", responses=errors(409))
async def create_order(request: Request, data: ProductOrderCreate) -> Response[models.ProductOrder]:
    """One order item of a kind a plugin of the tenant takes (plan change, line service, dial-up, mailbox...); 201 with
    the order (TMF622 states) and, when it waits for a payment, the payment and its ``checkoutUrl``."""
    if len(data.productOrderItem) != 1:
        raise ApiError(400, N_("An order has exactly one productOrderItem."), "invalid")
    item = data.productOrderItem[0]
    if item.action not in ACTIONS:
        raise ApiError(400, N_("The action must be add, modify or delete."), "invalid")
    hall, ri = hall_of(request), info(request)
    account_id = api_caller(request).customer
    product = await _own_product(account_id, item.product)
    offering = None
    if item.productOffering is not None:
        offering = (await catalog(hall, ri.tenant)).offerings.get(item.productOffering.id)
        if offering is None:
            raise ApiError(404, N_("No such product offering."), "not_found")
    if item.action == "add" and offering is None or item.action != "add" and product is None:
        raise ApiError(400, N_("An add names a productOffering; a modify or delete names a product."), "invalid")
    spec = offering.specification if item.action == "add" else product["specification"]
    values = {c.name: _value(c.value) for c in item.productCharacteristic}
    kind = next(
        (
            k
            for k in order_kinds(hall)
            if k.action == item.action
            and k.specification == spec
            and (not k.characteristic or k.characteristic in values)
            and ri.tenant.enables(k.plugin)
        ),
        None,
    )
    if kind is None:
        raise ApiError(409, N_("This kind of order cannot be placed here."), "not_offered")
    token = (data.externalId or "")[:40] or secrets.token_urlsafe(16)
    order = OrderRequest(
        request, hall, ri.tenant, account_id, ri.language, item.action, Form(values), token, product, offering
    )
    try:
        placed = await kind.place(order)
    except FieldErrors as problems:
        raise _field_errors(request, problems) from None
    except NotEligible as exc:
        message, params = exc.reasons[0] if exc.reasons else (exc.message, {})
        raise ApiError(409, message, "not_eligible", **params) from None
    except ProductError as exc:
        raise ApiError(exc.status if 400 <= exc.status < 500 else 409, exc.message, "refused", **exc.params) from None
    from core.tmf.routes_products import order_view

    row = await ProductOrder.select().where(ProductOrder.id == placed["id"]).first()
    return one(await order_view(request, row, checkout=True), status=201)


HANDLERS = [create_order]
