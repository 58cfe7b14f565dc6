"""The plan change: the customer's lines with their plans, the plans open to one of them, and the order."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from core.api.identity import customer_for_account, linked_numbers
from core.api.products import OrderItem, catalog, change_takes_effect, offers_for, place_order, products_on_numbers

PROCESS = "plans.change"


@dataclass
class Line:
    product: dict
    plan: str  # the current plan's name in the reader's language


async def customer_of(account_id: int) -> str:
    found = await customer_for_account(account_id)
    return found[1]["legacy_id"] if found else ""


async def lines(hall, tenant, account_id: int, language: str, *, fresh: bool = False) -> list[Line]:
    """The customer's lines on their linked numbers, each with its current plan (read from the BSS when stale)."""
    customer = await customer_of(account_id)
    products = await products_on_numbers(
        hall, tenant, customer, await linked_numbers(account_id), specification="line", fresh=fresh
    )
    cat = await catalog(hall, tenant)
    out = []
    for p in products:
        offering = cat.get(p["offering_code"])
        out.append(Line(p, offering.display_name(language) if offering else (p["name"] or p["legacy_code"])))
    return out


async def line_of(hall, tenant, account_id: int, number: str, language: str) -> Line | None:
    """One of the customer's lines, its plan read live from the BSS (a plan change starts from what it is now)."""
    return next(
        (ln for ln in await lines(hall, tenant, account_id, language, fresh=True) if ln.product["number"] == number),
        None,
    )


async def choices(hall, tenant, account_id: int, product_id: int) -> list[tuple]:
    """(offering, reasons, effective date) of every plan the line could change to; no reasons: it may."""
    customer = await customer_of(account_id)
    return [
        (o, reasons, change_takes_effect(hall, tenant, o))
        for o, reasons in await offers_for(hall, tenant, customer, product_id)
    ]


def new_token() -> str:
    """The confirmation page's token: the same confirmation posted twice places one order."""
    return secrets.token_urlsafe(16)


async def order_change(
    hall, tenant, account_id: int, line: Line, offering, token: str, title: str, language: str
) -> dict:
    customer = await customer_of(account_id)
    return await place_order(
        hall,
        customer_id=customer,
        items=[OrderItem("modify", offering=offering.code, product_id=line.product["id"])],
        request_key=f"plans:{account_id}:{line.product['id']}:{offering.code}:{token}",
        title=title,
        process=PROCESS,
        customer_account_id=account_id,
        language=language,
    )
