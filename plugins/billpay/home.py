"""billpay's panel on the customer home page: what the linked numbers owe, with a pay button.

There is no account balance in the data model yet; what is owed is what a
customer needs on arrival. Three or four queries whatever the number of numbers.
"""

from __future__ import annotations

from core.api import N_, Panel
from core.api.identity import linked_numbers
from core.api.web import info
from plugins.billpay.owed import owed_for


async def owed_panel(request) -> Panel | None:
    customer = info(request).customer
    if customer is None:
        return None
    numbers = await linked_numbers(customer.id)
    if not numbers:
        return None
    owed = await owed_for(numbers)
    return Panel(
        "billpay/_home_panel.html",
        {"owed": owed, "total_fen": sum(n.total_fen for n in owed)},
        title=N_("Amount owed"),
        order=10,
    )
