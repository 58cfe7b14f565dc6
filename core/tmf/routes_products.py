"""TMF620 productOffering (the tenant's catalog), TMF637 product (what the customer has) and TMF622 productOrder
(their orders). Orders are created by the plugins that sell (plans, ...) through ``register_api_routes``."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath

from core.i18n import N_
from core.products.api import products_of_customer
from core.products.catalog import catalog
from core.products.tables import Product, ProductOrder, ProductOrderItem
from core.tmf import models, reads
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import Fields, Limit, Offset, href, listing, money, one, when
from core.web.context import info
from core.web.render import hall_of

READ = {"scope": "customer.read"}
NO_SUCH = N_("No such resource.")


def _text(value, language: str) -> str:
    if isinstance(value, dict):
        return value.get(language) or next(iter(value.values()), "")
    return str(value or "")


def _offering(request: Request, o) -> dict:
    language = info(request).language
    prices = [
        ("oneOff", "oneOff", o.one_off_fen),
        ("recurring", "monthly", o.monthly_fee_fen),
        ("oneOff", "deposit", o.deposit_fen),
    ]
    return {
        "id": o.code,
        "href": href(request, "productOffering", o.code),
        "@type": "ProductOffering",
        "name": _text(o.name, language),
        "description": _text(o.description, language),
        "lifecycleStatus": "Active" if o.orderable else "Retired",
        "isSellable": o.orderable,
        "productSpecification": {"id": o.specification},
        "productOfferingPrice": [{"priceType": t, "name": n, "price": money(f)} for t, n, f in prices if f],
    }


async def _offerings(request: Request) -> list:
    cat = await catalog(hall_of(request), info(request).tenant)
    return sorted(cat.offerings.values(), key=lambda o: (o.specification, o.group, o.monthly_fee_fen, o.code))


@get("/productOffering", opt={"scope": "catalog.read"}, name="api:product_offering.list", responses=errors())
async def list_offerings(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.ProductOffering]]:
    """The tenant's catalog: every offering, sellable or retired."""
    rows = await _offerings(request)
    return listing([_offering(request, o) for o in rows[offset : offset + limit]], len(rows), fields)


@get("/productOffering/{code:str}", opt={"scope": "catalog.read"}, name="api:product_offering", responses=errors())
async def get_offering(
    request: Request, code: FromPath[str], fields: Fields = None
) -> Response[models.ProductOffering]:
    found = next((o for o in await _offerings(request) if o.code == code), None)
    if found is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(_offering(request, found), fields)


def _product(request: Request, row: dict) -> dict:
    chars = [{"name": k, "value": v} for k, v in sorted((row["characteristics"] or {}).items())]
    return {
        "id": str(row["id"]),
        "href": href(request, "product", row["id"]),
        "@type": "Product",
        "name": row["name"],
        "status": row["state"],
        "startDate": when(row["started_at"]),
        "terminationDate": when(row["ended_at"]),
        "productOffering": {"id": row["offering_code"]} if row["offering_code"] else None,
        "productSpecification": {"id": row["specification"]},
        "billingAccount": {"id": row["account_legacy_id"]},
        "serviceNumber": row["number"] or None,
        "productCharacteristic": chars,
    }


def _own_products(h: reads.Holdings):
    return Product.customer_legacy_id == h.legacy_id


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


@get("/product", opt=READ, name="api:product.list", responses=errors())
async def list_products(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20, status: str | None = None
) -> Response[list[models.Product]]:
    """What the customer has on the accounts of their numbers, as My products shows it (TMF637 states: active,
    suspended, pendingTerminate): synced lines (mirrored as the web pages do), plans, dial-up accounts, mailboxes."""
    h = await reads.holdings(api_caller(request).customer)
    rows = await products_of_customer(hall_of(request), info(request).tenant, h.legacy_id, h.numbers)
    rows = [r for r in rows if not status or r["state"] == status]
    return listing([_product(request, r) for r in rows[offset : offset + limit]], len(rows), fields)


@get("/product/{product_id:str}", opt=READ, name="api:product", responses=errors())
async def get_product(request: Request, product_id: FromPath[str], fields: Fields = None) -> Response[models.Product]:
    h = await reads.holdings(api_caller(request).customer)
    pk = _number(product_id)
    row = await Product.select().where(_own_products(h) & (Product.id == pk)).first() if pk else None
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(_product(request, row), fields)


async def _payment(request: Request, intent_id, checkout: bool) -> list[dict] | None:
    """The order's payment step (TMF676 reference); ``checkoutUrl`` while it is open, when the order was just placed."""
    if not intent_id:
        return None
    from core.payments.intents import get_intent
    from core.tmf.routes_payments import checkout_url

    intent = await get_intent(str(intent_id))
    if intent is None:
        return None
    ref = {"id": intent.id, "href": href(request, "payment", intent.id), "status": intent.state}
    if checkout and intent.open:
        ref["checkoutUrl"] = checkout_url(request, intent)
    return [ref]


async def order_view(request: Request, row: dict, *, checkout: bool = False) -> dict:
    items = await ProductOrderItem.select().where(ProductOrderItem.order_id == row["id"]).order_by(ProductOrderItem.seq)
    return {
        "id": str(row["id"]),
        "href": href(request, "productOrder", row["id"]),
        "@type": "ProductOrder",
        "externalId": row["number"],
        "description": row["title"],
        "state": row["state"],
        "orderDate": when(row["created_at"]),
        "completionDate": when(row["closed_at"]),
        "channel": [{"id": row["channel"]}],
        "productOrderItem": [
            {
                "id": str(i["seq"]),
                "action": i["action"],
                "state": i["state"],
                "productOffering": {"id": i["offering_code"]} if i["offering_code"] else None,
                "product": {"id": str(i["product_id"])} if i["product_id"] else None,
            }
            for i in items
        ],
        "payment": await _payment(request, row.get("payment_intent"), checkout),
    }


@get("/productOrder", opt=READ, name="api:product_order.list", responses=errors())
async def list_orders(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.ProductOrder]]:
    """The customer's product orders, newest first (TMF622 states)."""
    h = await reads.holdings(api_caller(request).customer)
    where = ProductOrder.customer_legacy_id == h.legacy_id
    rows = (
        await ProductOrder.select().where(where).order_by(ProductOrder.id, ascending=False).offset(offset).limit(limit)
    )
    return listing([await order_view(request, r) for r in rows], await ProductOrder.count().where(where), fields)


@get("/productOrder/{order_id:str}", opt=READ, name="api:product_order", responses=errors())
async def get_order(request: Request, order_id: FromPath[str], fields: Fields = None) -> Response[models.ProductOrder]:
    h = await reads.holdings(api_caller(request).customer)
    pk = _number(order_id)
    row = (
        await ProductOrder.select()
        .where((ProductOrder.customer_legacy_id == h.legacy_id) & (ProductOrder.id == pk))
        .first()
        if pk
        else None
    )
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(await order_view(request, row), fields)


HANDLERS = [list_offerings, get_offering, list_products, get_product, list_orders, get_order]
