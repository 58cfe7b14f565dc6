"""The customer's lines, the value-added services each could have, and the orders that add or end one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from core.api.identity import customer_for_account, linked_numbers
from core.api.products import OrderItem, Product, ProductError, ProductOrder, catalog, place_order, products_on_numbers
from core.api import N_

from . import SPECIFICATION

LIVE = ("created", "pending_active", "active", "suspended")


@dataclass
class Service:
    offering: object  # ProductOffering
    product: dict | None  # the line's product of it, when it has one that is not ended
    ending: bool = False  # an end is booked (the month's end)


@dataclass
class Line:
    number: str
    services: list[Service] = field(default_factory=list)


async def customer_of(account_id: int) -> str:
    found = await customer_for_account(account_id)
    return found[1]["legacy_id"] if found else ""


async def _features_on(numbers: list[str], customer: str) -> dict[tuple[str, str], dict]:
    rows = await Product.select().where(
        (Product.specification == SPECIFICATION)
        & (Product.customer_legacy_id == customer)
        & Product.number.is_in(numbers or [""])
        & Product.state.is_in([*LIVE, "pending_terminate"])
    )
    return {(r["number"], r["offering_code"]): r for r in rows}


async def lines(hall, tenant, account_id: int) -> list[Line]:
    """The customer's phone lines, each with every value-added service on sale and whether the line has it."""
    customer = await customer_of(account_id)
    numbers = await linked_numbers(account_id)
    products = await products_on_numbers(hall, tenant, customer, numbers, specification="line")
    phones = [p["number"] for p in products if (p["characteristics"] or {}).get("number_kind", "phone") == "phone"]
    offerings = (await catalog(hall, tenant)).orderable(SPECIFICATION)
    have = await _features_on(phones, customer)
    out = []
    for number in phones:
        services = []
        for o in offerings:
            product = have.get((number, o.code))
            services.append(Service(o, product, bool(product) and product["state"] == "pending_terminate"))
        out.append(Line(number, services))
    return out


def new_token() -> str:
    """A page's token: the same form posted twice places one order."""
    return secrets.token_urlsafe(16)


async def _placed_before(key: str) -> bool:
    return await ProductOrder.exists().where(ProductOrder.request_key == key)


async def order_add(hall, tenant, account_id: int, service: Service, number: str, token: str, title: str, lang: str):
    """Add ``service`` to the line; the same form again finds its order, another form for a line that has it is refused."""
    customer = await customer_of(account_id)
    key = f"valueadd:{account_id}:{number}:{service.offering.code}:add:{token}"
    if service.product is not None and not await _placed_before(key):
        raise ProductError(N_("This line already has it."))
    return await place_order(
        hall,
        customer_id=customer,
        items=[OrderItem("add", offering=service.offering.code, number=number)],
        request_key=key,
        title=title,
        process="",
        customer_account_id=account_id,
        language=lang,
    )


async def order_end(hall, tenant, account_id: int, service: Service, token: str, title: str, lang: str):
    """End ``service`` on its line at the month's end; the same form again finds its order."""
    customer = await customer_of(account_id)
    product = service.product
    key = f"valueadd:{account_id}:{product['id'] if product else 0}:end:{token}"
    if (product is None or service.ending) and not await _placed_before(key):
        raise ProductError(N_("This line does not have it."))
    return await place_order(
        hall,
        customer_id=customer,
        items=[OrderItem("delete", product_id=product["id"])],
        request_key=key,
        title=title,
        process="",
        customer_account_id=account_id,
        language=lang,
    )
