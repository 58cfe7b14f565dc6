"""A balance as pages show it (the ``account/_balance.html`` macro): the figure and "data as of" in the tenant's zone."""

from __future__ import annotations

from litestar import Request

from core.web.context import info
from core.web.data_as_of import as_of


def balance_view(request: Request, balance) -> dict | None:
    """``{"balance": AccountBalance, "as_of": as_of(...) or None}`` for the macro; None for no balance (no port)."""
    if balance is None:
        return None
    ri = info(request)
    moment = as_of(ri.tenant, balance.as_of, ri.language) if balance.as_of is not None else None
    return {"balance": balance, "as_of": moment}
