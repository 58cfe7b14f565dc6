"""billpay's panel on the customer home page: what the linked numbers (or their billing accounts) owe, with a pay button.

What is owed is what a customer needs on arrival; balances are on the pay page and
on Accounts and balances. A few queries whatever the number of numbers.
"""

from __future__ import annotations

from core.api import N_, Panel
from core.api.web import info
from plugins.billpay.owed import owed_for_payers
from plugins.billpay.views import payers_of


async def owed_panel(request) -> Panel | None:
    if info(request).customer is None:
        return None
    _, payers = await payers_of(request)
    if not payers:
        return None
    owed = await owed_for_payers(payers)
    return Panel(
        "billpay/_home_panel.html",
        {"owed": owed, "total_fen": sum(n.total_fen for n in owed)},
        title=N_("Amount owed"),
        order=10,
    )
