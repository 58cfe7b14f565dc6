"""An order's items resolved: each offering and product looked up and checked, its fees and effective date, the
customer's contact, and the dated change an item books (a plan change, a suspension, a new address, a termination)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.auth.tables import Customer, CustomerAccount
from core.i18n import N_
from core.products import eligibility, inventory, model
from core.products.catalog import catalog as load_catalog
from core.products.dates import effective_at as effective_date
from core.products.model import NotEligible, NotFound, ProductError
from core.products.settings import products_settings
from core.products.states import ITEM_ACTIONS, LIVE, PRODUCT_CHANGES
from core.products.tables import ProductChange


@dataclass(frozen=True)
class OrderItem:
    """One line a caller asks for: ``add`` an offering (on ``number``), ``modify`` a product to an offering,
    ``delete`` (end) a product. ``effective``: ``next_month`` | ``immediate`` | "" (the offering's, else the tenant's).

    A ``modify`` with a ``change`` keeps the product's offering and changes the product itself (TMF622 modify of
    its status or characteristics): ``suspend`` / ``resume`` with ``params["reason"]`` (default ``customer``),
    ``characteristics`` with ``params["characteristics"]`` (merged into the product's). Such a change takes
    effect ``effective_at`` (UTC) when given, else at once.
    """

    action: str
    offering: str = ""
    product_id: int | None = None
    number: str = ""
    effective: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    change: str = ""
    effective_at: dt.datetime | None = None


async def contact_of(customer_id: str, account_id: int | None) -> dict[str, str]:
    person = await Customer.select().where(Customer.legacy_id == customer_id).first()
    if person is None:
        raise NotFound(N_("No such customer."))
    email = ""
    if account_id is not None:
        account = await CustomerAccount.select(CustomerAccount.email).where(CustomerAccount.id == account_id).first()
        email = (account or {}).get("email") or ""
    return {"phone": person["phone"] or "", "email": email or person["email"] or ""}


async def resolve(hall, tenant, customer_id: str, items: list[OrderItem]) -> list[dict]:
    """Each item checked and priced: the offering, the product, the effective date; NotEligible with every reason."""
    if not items:
        raise ProductError(N_("An order needs at least one item."))
    cat = await load_catalog(hall, tenant)
    default_rule = products_settings(hall, tenant).change_effective
    resolved, reasons = [], []
    for seq, item in enumerate(items, 1):
        if item.action not in ITEM_ACTIONS or (item.change and (item.action, item.change) not in PRODUCT_CHANGES):
            raise ProductError(N_("Unknown order action."))
        product = None
        if item.action == "add" and item.number:
            await _check_number(customer_id, item.number)
        if item.action in ("modify", "delete"):
            product = await inventory.get_product(item.product_id or 0)
            if product["customer_legacy_id"] != customer_id or product["state"] not in LIVE:
                raise NotFound(N_("No such product."))
        if item.change:
            pending = (await inventory.pending_changes([product["id"]])).get(product["id"], [])
            reasons += eligibility.change_reasons(item.change, _change_values(item), product, pending)
            resolved.append(_product_change(seq, item, product, cat.get(product["offering_code"])))
            continue
        offering = cat.get(item.offering) if item.action != "delete" else cat.get(product["offering_code"])
        if item.action != "delete" and offering is None:
            raise NotFound(N_("No such offering."))
        if item.action != "delete":
            pending = (await inventory.pending_changes([product["id"]])).get(product["id"], []) if product else []
            reasons += await eligibility.reasons(hall, tenant, cat, item.action, offering, product, pending)
        rule = item.effective or (offering.change_effective if offering else "") or default_rule
        when = effective_date(rule, model.now(), tenant) if item.action != "add" else None
        fees = (offering.one_off_fen, offering.deposit_fen) if offering and item.action != "delete" else (0, 0)
        spec = offering.specification if offering else product["specification"]
        resolved.append(
            {
                "seq": seq,
                "item": item,
                "offering": offering,
                "product": product,
                "specification": spec,
                "effective_at": when,
                "one_off_fen": fees[0],
                "deposit_fen": fees[1],
                "number": item.number or (product["number"] if product else ""),
            }
        )
    if reasons:
        raise NotEligible(eligibility.unique(reasons))
    return resolved


def _change_values(item: OrderItem) -> dict:
    """What a product change sets: the suspend reason, or the characteristics it merges in."""
    if item.change == "characteristics":
        return {"characteristics": dict(item.params.get("characteristics") or {})}
    return {"reason": item.params.get("reason") or "customer"}


def _product_change(seq: int, item: OrderItem, product: dict, offering) -> dict:
    """A ``modify`` that keeps the offering: no fees, at once unless the caller gave a date."""
    return {
        "seq": seq,
        "item": item,
        "offering": offering,
        "product": product,
        "specification": product["specification"],
        "effective_at": item.effective_at or model.now(),
        "one_off_fen": 0,
        "deposit_fen": 0,
        "number": product["number"],
        "change": item.change,
        "values": _change_values(item),
    }


async def _check_number(customer_id: str, number: str) -> None:
    """A product added on a synced number goes only on the customer's own (a new number, not synced yet, is fine)."""
    from core.auth.tables import ServiceNumber

    row = await ServiceNumber.select(ServiceNumber.customer_legacy_id).where(ServiceNumber.number == number).first()
    if row is not None and row["customer_legacy_id"] != customer_id:
        raise NotFound(N_("No such product."))


async def account_of(resolved: list[dict]) -> str:
    """The account the order is for: its first product's, else the account of its first number (or the number)."""
    from core.auth.tables import ServiceNumber

    for r in resolved:
        if r["product"]:
            return r["product"]["account_legacy_id"]
    number = next((r["number"] for r in resolved if r["number"]), "")
    row = await ServiceNumber.select(ServiceNumber.account_legacy_id).where(ServiceNumber.number == number).first()
    return (row or {}).get("account_legacy_id") or number


def item_params(r: dict) -> dict:
    offering, product = r["offering"], r["product"]
    params = dict(r["item"].params)
    if r.get("change"):
        params |= {"change": r["change"], **r["values"]}
    if offering is not None:
        params["legacy_code"] = offering.legacy_code
    if product is not None:
        params["from_offering"] = product["offering_code"]
        params["from_legacy_code"] = product["legacy_code"]
    return params


async def book_change(tenant, r: dict, order_id: int) -> None:
    """The dated change an item makes, visible from the moment the order is placed (``ordered``)."""
    product, offering, item = r["product"], r["offering"], r["item"]
    if r.get("change"):
        changes, kind = dict(r["values"]), r["change"]
    elif item.action == "modify":
        changes = {
            "offering_code": offering.code,
            "name": offering.display_name(tenant.language),
            "legacy_code": offering.legacy_code,
            "monthly_fee_fen": offering.monthly_fee_fen,
            "from_offering_code": product["offering_code"],
            "from_name": product["name"],
            "from_legacy_code": product["legacy_code"],
            "from_monthly_fee_fen": product["monthly_fee_fen"],
        }
        kind = "offering"
    else:
        changes, kind = {}, "terminate"
    await ProductChange.insert(
        ProductChange(
            product_id=product["id"],
            order_id=order_id,
            kind=kind,
            changes=changes,
            effective_at=r["effective_at"],
            state="ordered",
            created_at=model.now(),
        )
    )
