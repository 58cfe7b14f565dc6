"""Sections of the console's customer view: the latest bills of the customer's numbers, and who looked at their call records."""

from __future__ import annotations

from core.api import N_, Panel
from plugins.bills.data import latest_bills
from plugins.bills.tables import CallAccess

BILLS_PER_NUMBER = 3
TRAIL = 20


async def bills_section(customer: dict) -> Panel:
    """The latest bills of each of the customer's numbers (one indexed query per number; the page needs core.customers.view)."""
    bills = [
        {**b, "number": number} for number in customer["numbers"] for b in await latest_bills(number, BILLS_PER_NUMBER)
    ]
    bills.sort(
        key=lambda b: b["month"], reverse=True
    )  # newest month first; numbers in order within a month (stable sort)
    return Panel("bills/customer_bills.html", {"bills": bills}, title=N_("Latest bills"), order=30)


async def trail_section(customer: dict) -> Panel:
    """Call-record views and exports by the customer's account or of the customer's numbers, newest first."""
    condition = None
    if customer["numbers"]:
        condition = CallAccess.number.is_in(customer["numbers"])
    if customer["account_id"] is not None:
        by_account = CallAccess.account == customer["account_id"]
        condition = by_account if condition is None else condition | by_account
    rows = []
    if condition is not None:
        rows = (
            await CallAccess.select(
                CallAccess.at,
                CallAccess.actor,
                CallAccess.number,
                CallAccess.month,
                CallAccess.kind,
                CallAccess.filters,
                CallAccess.address,
            )
            .where(condition)
            .order_by(CallAccess.at, ascending=False)
            .order_by(CallAccess.id, ascending=False)
            .limit(TRAIL)
        )
    return Panel(
        "bills/customer_trail.html",
        {"trail": rows},
        title=N_("Call-record access"),
        permission="bills.access_log",
        order=60,
    )
