"""What the bill pages read: the customer's linked numbers, a number's latest bills and their items (three queries)."""

from __future__ import annotations

from core.auth.tables import AccountNumber
from core.legacy.billing_tables import Bill, BillItem


async def linked_numbers(account_id: int) -> list[str]:
    """The account's linked service numbers, first linked first (tenant-scoped like every TenantTable query)."""
    rows = await AccountNumber.select(AccountNumber.number).where(AccountNumber.account == account_id).order_by(AccountNumber.id)
    return [r["number"] for r in rows]


async def latest_bills(number: str, count: int) -> list[dict]:
    """The number's latest ``count`` bills, newest first: one query on the (tenant, number, month) index."""
    return await Bill.select(Bill.legacy_id, Bill.month, Bill.amount_fen, Bill.paid_fen, Bill.status, Bill.due_date).where(
        Bill.number == number).order_by(Bill.month, ascending=False).limit(count)


async def latest_month(number: str) -> str | None:
    row = await Bill.select(Bill.month).where(Bill.number == number).order_by(Bill.month, ascending=False).first()
    return row["month"] if row else None


async def items_of(bill_ids: list[str]) -> dict[str, list[dict]]:
    """Line items of the given bills (one query), by bill, in bill order."""
    if not bill_ids:
        return {}
    rows = await BillItem.select(BillItem.bill_legacy_id, BillItem.code, BillItem.name, BillItem.amount_fen).where(
        BillItem.bill_legacy_id.is_in(bill_ids)).order_by(BillItem.position)
    out: dict[str, list[dict]] = {b: [] for b in bill_ids}
    for row in rows:
        out[row["bill_legacy_id"]].append(row)
    return out
