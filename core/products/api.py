"""What a selling plugin asks before it places an order: the customer's products on their numbers, and which
offerings they may choose for one of them (each with the reasons it cannot, to show beside it)."""

from __future__ import annotations

from core.i18n import N_
from core.products import eligibility, inventory
from core.products.catalog import ProductOffering, catalog as load_catalog
from core.products.lines import read_fresh
from core.products.model import NotFound
from core.products.states import LIVE
from core.products.tables import Product


async def products_on_numbers(
    hall, tenant, customer_id: str, numbers: list[str], *, specification: str | None = None, fresh: bool = False
) -> list[dict]:
    """The customer's live products on ``numbers`` (synced lines mirrored first; tariffs read live when stale or ``fresh``)."""
    query = Product.select().where(
        (Product.customer_legacy_id == customer_id)
        & Product.number.is_in(numbers or [""])
        & Product.state.is_in(list(LIVE))
    )
    if specification:
        query = query.where(Product.specification == specification)
    rows, _, _ = await read_fresh(
        hall, tenant, numbers, lambda: query.order_by(Product.number).order_by(Product.id), force=fresh
    )
    return rows


async def products_of_customer(hall, tenant, customer_id: str, numbers: list[str]) -> list[dict]:
    """The customer's live products: those on the accounts of ``numbers`` (what My products shows), and those of the
    customer with no line of their own (a dial-up account, a mailbox: their account is their own name). Synced
    lines are mirrored first; stale tariffs are read live."""
    from core.auth.tables import ServiceNumber
    from core.products.views import accounts_of_numbers

    accounts = set(await accounts_of_numbers(numbers))

    async def read() -> list[dict]:
        rows = (
            await Product.select()
            .where((Product.customer_legacy_id == customer_id) & Product.state.is_in(list(LIVE)))
            .order_by(Product.account_legacy_id)
            .order_by(Product.number)
            .order_by(Product.id)
        )
        own = [
            r["number"]
            for r in rows
            if r["account_legacy_id"] not in accounts and r["number"] == r["account_legacy_id"]
        ]
        lines = {
            r["number"]
            for r in await ServiceNumber.select(ServiceNumber.number).where(ServiceNumber.number.is_in(own or [""]))
        }
        return [
            r
            for r in rows
            if r["account_legacy_id"] in accounts
            or (r["number"] == r["account_legacy_id"] and r["number"] and r["number"] not in lines)
        ]

    rows, _, _ = await read_fresh(hall, tenant, numbers, read)
    return rows


async def offers_for(hall, tenant, customer_id: str, product_id: int) -> list[tuple[ProductOffering, list]]:
    """Every sold offering that could replace the product's (same specification), each with why it cannot be chosen.

    An empty reason list means it can be ordered. The current offering is left out.
    """
    product = await inventory.get_product(product_id)
    if product["customer_legacy_id"] != customer_id or product["state"] not in LIVE:
        raise NotFound(N_("No such product."))
    cat = await load_catalog(hall, tenant)
    pending = (await inventory.pending_changes([product_id])).get(product_id, [])
    min_spend = await eligibility.number_min_spend(hall, tenant, product)
    current = cat.get(product["offering_code"])
    out = []
    for offering in cat.orderable(product["specification"]):
        if offering.code == product["offering_code"]:
            continue
        family = current.group if current is not None else None
        if offering.group != (family or ""):
            # another family of plans (fixed line vs mobile) is not offered at all; nor is any family when the
            # catalog does not know the current plan (list its legacy_code with orderable = false and a group)
            continue
        kind = (product["characteristics"] or {}).get("number_kind", "")
        if offering.number_kinds and kind and kind not in offering.number_kinds:
            continue
        reasons = await eligibility.reasons(hall, tenant, cat, "modify", offering, product, pending, min_spend)
        out.append((offering, reasons))
    return out


def change_takes_effect(hall, tenant, offering: ProductOffering | None = None, effective: str = ""):
    """When a change to ``offering`` ordered now would take effect (UTC): ``effective``, else the offering's
    ``change_effective``, else the tenant's ``[products] change_effective``. What ``place_order`` will use."""
    from core.products import model
    from core.products.dates import effective_at
    from core.products.settings import products_settings

    rule = (
        effective or (offering.change_effective if offering else "") or products_settings(hall, tenant).change_effective
    )
    return effective_at(rule, model.now(), tenant)
