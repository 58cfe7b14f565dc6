"""Where the recurring-charge engine (定期划帐, issue 14 item 5) hooks in: which products to charge for a period,
and at what monthly fee. Nothing here charges; the charge run is built on these two functions.

A product is charged by the hall when its specification says ``charged_by = "hall"`` (a mailbox, a dial-up
account); lines and other BSS products are billed by the BSS and never appear here. The monthly fee in
effect at a moment comes from the product's applied changes (``core_product_change``, kind ``offering``,
which keep the fee before and after), so a plan change on the first of the month is charged at the new fee
from that month on and a period is never charged at a fee that was not in effect.
"""

from __future__ import annotations

import datetime as dt

from core.products.states import ACTIVE, PENDING_TERMINATE, SUSPENDED, TERMINATED
from core.products.tables import Product, ProductChange

CHARGEABLE_STATES = (ACTIVE, SUSPENDED, PENDING_TERMINATE)  # the engine decides what a suspension means for the fee


async def fee_at(product: dict, moment: dt.datetime) -> int:
    """The product's monthly fee in effect at ``moment``: its fee now, unwound through later applied changes."""
    later = (
        await ProductChange.select(ProductChange.changes)
        .where(
            (ProductChange.product_id == product["id"])
            & (ProductChange.kind == "offering")
            & (ProductChange.state == "applied")
            & (ProductChange.effective_at > moment)
        )
        .order_by(ProductChange.effective_at)
        .first()
    )
    if later is None:
        return int(product["monthly_fee_fen"])
    return int((later["changes"] or {}).get("from_monthly_fee_fen", product["monthly_fee_fen"]))


async def chargeable(
    period_start: dt.datetime,
    period_end: dt.datetime,
    *,
    account: str | None = None,
    after_id: int = 0,
    limit: int = 500,
    include_free: bool = False,
) -> list[dict]:
    """Hall-charged products with a monthly fee that were live during [period_start, period_end), by id after ``after_id``.

    Each row is the product with ``fee_fen``, the fee in effect at the period's start
    (or at its start date, for a product started during the period). Page by id:
    pass the last id back as ``after_id``. ``include_free``: also those whose fee
    is 0 (the charge run records them as skipped). Periods come from
    ``core.products.dates.period_of`` (calendar months in the tenant's zone).
    """
    query = (
        Product.select()
        .where(
            (Product.charged_by == "hall")
            & (
                Product.state.is_in(list(CHARGEABLE_STATES))
                | ((Product.state == TERMINATED) & (Product.ended_at > period_start))  # ended during the period
            )
            & (Product.id > after_id)
            & Product.started_at.is_not_null()
            & (Product.started_at < period_end)
        )
        .order_by(Product.id)
        .limit(limit)
    )
    if account is not None:
        query = query.where(Product.account_legacy_id == account)
    out = []
    for row in await query:
        start = max(period_start, row["started_at"])
        fee = await fee_at(row, start)
        if fee > 0 or include_free:
            out.append({**row, "fee_fen": fee})
    return out
