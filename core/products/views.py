"""What the products pages show, built from the inventory and the catalog (reads only)."""

from __future__ import annotations

from core.auth.tables import ServiceNumber
from core.products import inventory
from core.products.catalog import Catalog, catalog as load_catalog
from core.products.lines import read_fresh
from core.products.states import CUSTOMER_MAY_CANCEL, OPEN_ORDER
from core.products.tables import LifecycleRequest, Product, ProductOrder, ProductOrderItem, ProductOrderMilestone


def offering_name(product: dict, cat: Catalog, language: str) -> str:
    """The product's offering as the customer reads it: the catalog's name, else the BSS's tariff name, else its code."""
    offering = cat.get(product["offering_code"])
    if offering is not None:
        return offering.display_name(language)
    return product["name"] or product["legacy_code"] or product["specification"]


def describe(products: list[dict], pending: dict[int, list[dict]], cat: Catalog, language: str) -> list[dict]:
    out = []
    for p in products:
        changes = []
        for c in pending.get(p["id"], []):
            target = cat.get((c["changes"] or {}).get("offering_code", ""))
            changes.append(
                {
                    **c,
                    "to_name": target.display_name(language) if target else (c["changes"] or {}).get("name", ""),
                }
            )
        out.append(
            {
                **p,
                "display_name": offering_name(p, cat, language),
                "reasons": inventory.reasons_of(p),
                "changes": changes,
                "tariff_as_of": (p["characteristics"] or {}).get("tariff_as_of", ""),
            }
        )
    return out


async def accounts_of_numbers(numbers: list[str]) -> list[str]:
    """The accounts paying for these numbers (a number is its own account when the BSS has none), in the numbers' order."""
    rows = await ServiceNumber.select(ServiceNumber.number, ServiceNumber.account_legacy_id).where(
        ServiceNumber.number.is_in(numbers or [""])
    )
    by_number = {r["number"]: r["account_legacy_id"] or r["number"] for r in rows}
    return list(dict.fromkeys(by_number[n] for n in numbers if n in by_number))


async def customer_products(hall, tenant, customer_id: str, numbers: list[str], language: str) -> dict:
    """The customer's products on the accounts of their linked numbers, grouped by account, with dated changes."""
    accounts = await accounts_of_numbers(numbers)

    async def read() -> list[dict]:
        return [p for p in await inventory.products_of_accounts(accounts) if p["customer_legacy_id"] == customer_id]

    products, cat, fresh = await read_fresh(hall, tenant, numbers, read)
    pending = await inventory.pending_changes([p["id"] for p in products])
    shown = describe(products, pending, cat, language)
    from core.products.arrears import pending_for

    charged = await pending_for([p["id"] for p in shown if p["charged_by"] == "hall"])
    for p in shown:
        p["charges"] = charged.get(p["id"], [])[:3]  # the last three months charged, newest first
    groups = [{"account": a, "products": [p for p in shown if p["account_legacy_id"] == a]} for a in accounts]
    orders = (
        await ProductOrder.select()
        .where((ProductOrder.customer_legacy_id == customer_id) & ProductOrder.state.is_in(list(OPEN_ORDER)))
        .order_by(ProductOrder.id, ascending=False)
    )
    return {"groups": [g for g in groups if g["products"]], "open_orders": orders, "bss_reachable": fresh}


async def order_detail(order: dict, *, public_only: bool) -> dict:
    items = (
        await ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).order_by(ProductOrderItem.seq)
    )
    query = ProductOrderMilestone.select().where(ProductOrderMilestone.order_id == order["id"])
    if public_only:
        query = query.where(ProductOrderMilestone.public.eq(True))
    milestones = await query.order_by(ProductOrderMilestone.id)
    requests = (
        await LifecycleRequest.select().where(LifecycleRequest.order_id == order["id"]).order_by(LifecycleRequest.id)
    )
    return {
        "order": order,
        "items": items,
        "milestones": milestones,
        "requests": requests,
        "may_cancel": order["state"] in CUSTOMER_MAY_CANCEL,
    }


async def customer_section(hall, tenant, customer: dict, language: str) -> dict:
    """The console's customer view: the customer's products (ended ones too) and their open orders."""
    cat = await load_catalog(hall, tenant)
    products = (
        await Product.select()
        .where(Product.customer_legacy_id == customer["legacy_id"])
        .order_by(Product.account_legacy_id, Product.id)
    )
    pending = await inventory.pending_changes([p["id"] for p in products])
    orders = (
        await ProductOrder.select()
        .where(ProductOrder.customer_legacy_id == customer["legacy_id"])
        .order_by(ProductOrder.id, ascending=False)
        .limit(20)
    )
    from core.payments.agreements import agreements_of

    agreements = await agreements_of(customer_id=customer["legacy_id"])
    return {"products": describe(products, pending, cat, language), "orders": orders, "agreements": agreements}


async def open_order_counts() -> dict[str, int]:
    """How many orders wait in each open state (held first: they need an operator)."""
    from core.products.states import ACKNOWLEDGED, HELD, IN_PROGRESS, PENDING

    out = {}
    for state in (HELD, ACKNOWLEDGED, IN_PROGRESS, PENDING):
        out[state] = await ProductOrder.count().where(ProductOrder.state == state)
    return out
