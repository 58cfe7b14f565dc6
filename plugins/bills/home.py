"""The bills plugin's panel on the customer home page: this month's bill (the latest) of each linked number."""

from __future__ import annotations

from core.api import N_, Panel
from core.api.web import info
from plugins.bills import data


async def latest_bills_panel(request) -> Panel | None:
    """Two statements: the linked numbers, then the latest bill of each of them."""
    customer = info(request).customer
    if customer is None:
        return None
    numbers = await data.linked_numbers(customer.id)
    if not numbers:
        return None
    return Panel(
        "bills/_home_panel.html",
        {"latest": await data.latest_per_number(numbers), "numbers": numbers},
        title=N_("This month's bill"),
        order=20,
    )
