"""What the bill pages read: the customer's linked numbers, a number's latest bills with their items (two statements).

The bill page is the most-opened page of the hall, so its two reads are plain SQL through
:func:`core.db.engine.fetch_scoped` (the query builder costs 0.3-0.5 ms of CPU per statement to build
the SQL and post-process rows; bench/portal.py --page bill). ``fetch_scoped`` puts the current
tenant wherever the SQL says ``{tenant}`` and refuses SQL without it or a call outside a tenant.
"""

from __future__ import annotations

from core.api.db import fetch_scoped
from core.api.legacy import Bill, BillItem

_LINKED = "SELECT number FROM core_account_number WHERE tenant = {tenant} AND account = {} ORDER BY id"

# The latest bills on the (tenant, number, month) index, each with its items on (tenant, bill_legacy_id):
# one row per item (a bill without items: one row with NULL item columns), newest bill first, items in order.
_BILLS_WITH_ITEMS = (
    "SELECT b.legacy_id, b.month, b.amount_fen, b.paid_fen, b.status, b.due_date,"
    " i.code AS item_code, i.name AS item_name, i.amount_fen AS item_fen"
    " FROM (SELECT legacy_id, month, amount_fen, paid_fen, status, due_date FROM core_bill"
    "       WHERE tenant = {tenant} AND number = {} ORDER BY month DESC LIMIT {}) AS b"
    " LEFT JOIN core_bill_item AS i ON i.tenant = {tenant} AND i.bill_legacy_id = b.legacy_id"
    " ORDER BY b.month DESC, b.legacy_id, i.position"
)


async def linked_numbers(account_id: int) -> list[str]:
    """The account's linked service numbers, first linked first (in the current tenant only)."""
    return [r["number"] for r in await fetch_scoped(_LINKED, account_id)]


async def bills_with_items(number: str, count: int) -> tuple[list[dict], dict[str, list[dict]]]:
    """The number's latest ``count`` bills, newest first, and their line items by bill, in order (one statement)."""
    bills: list[dict] = []
    items: dict[str, list[dict]] = {}
    for row in await fetch_scoped(_BILLS_WITH_ITEMS, number, count):
        legacy_id = row["legacy_id"]
        if not bills or bills[-1]["legacy_id"] != legacy_id:
            due = row["due_date"]
            if isinstance(due, str):  # SQLite through a subquery: the declared type (and its converter) is lost
                due = _date(due)
            bills.append(
                {
                    "legacy_id": legacy_id,
                    "month": row["month"],
                    "amount_fen": row["amount_fen"],
                    "paid_fen": row["paid_fen"],
                    "status": row["status"],
                    "due_date": due,
                }
            )
            items[legacy_id] = []
        if row["item_code"] is not None:
            items[legacy_id].append(
                {
                    "bill_legacy_id": legacy_id,
                    "code": row["item_code"],
                    "name": row["item_name"],
                    "amount_fen": row["item_fen"],
                }
            )
    return bills, items


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text[:10])


async def latest_bills(number: str, count: int) -> list[dict]:
    """The number's latest ``count`` bills, newest first: one query on the (tenant, number, month) index."""
    return (
        await Bill.select(Bill.legacy_id, Bill.month, Bill.amount_fen, Bill.paid_fen, Bill.status, Bill.due_date)
        .where(Bill.number == number)
        .order_by(Bill.month, ascending=False)
        .limit(count)
    )


async def latest_month(number: str) -> str | None:
    row = await Bill.select(Bill.month).where(Bill.number == number).order_by(Bill.month, ascending=False).first()
    return row["month"] if row else None


async def items_of(bill_ids: list[str]) -> dict[str, list[dict]]:
    """Line items of the given bills (one query), by bill, in bill order."""
    if not bill_ids:
        return {}
    rows = (
        await BillItem.select(BillItem.bill_legacy_id, BillItem.code, BillItem.name, BillItem.amount_fen)
        .where(BillItem.bill_legacy_id.is_in(bill_ids))
        .order_by(BillItem.position)
    )
    out: dict[str, list[dict]] = {b: [] for b in bill_ids}
    for row in rows:
        out[row["bill_legacy_id"]].append(row)
    return out


# The latest bill of each given number (the correlated MAX rides the (tenant, number, month) index): one statement for all numbers.
_LATEST_PER_NUMBER = (
    "SELECT b.legacy_id, b.number, b.month, b.amount_fen, b.paid_fen, b.status, b.due_date FROM core_bill AS b"
    " WHERE b.tenant = {tenant} AND b.number IN (NUMBERS) AND b.month = (SELECT MAX(m.month) FROM core_bill AS m"
    " WHERE m.tenant = {tenant} AND m.number = b.number)"
)


async def latest_per_number(numbers: list[str]) -> list[dict]:
    """Each number's latest bill (numbers without bills are left out), in the order of ``numbers``: one query, no N+1."""
    if not numbers:
        return []
    sql = _LATEST_PER_NUMBER.replace("NUMBERS", ", ".join(["{}"] * len(numbers)))
    found = {}
    for row in await fetch_scoped(sql, *numbers):
        due = row["due_date"]
        found[row["number"]] = {**row, "due_date": _date(due) if isinstance(due, str) else due}
    return [found[n] for n in numbers if n in found]


# -- accounts (合账): an account's own bills (number "") and its numbers' bills ------------------------------------
BILL_COLUMNS = (
    Bill.legacy_id,
    Bill.number,
    Bill.account_legacy_id,
    Bill.month,
    Bill.amount_fen,
    Bill.paid_fen,
    Bill.status,
    Bill.due_date,
)


async def account_bills(account: str, numbers: list[str], months: list[str]) -> list[dict]:
    """Bills of ``months`` for the account: its own (number "") and each of its numbers', newest month first.

    Two indexed reads, one per index ((tenant, account_legacy_id, month) and (tenant, number, month)), merged here.
    """
    if not months:
        return []
    own = await Bill.select(*BILL_COLUMNS).where(
        (Bill.account_legacy_id == account) & (Bill.number == "") & Bill.month.is_in(months)
    )
    per_number = (
        await Bill.select(*BILL_COLUMNS).where(Bill.number.is_in(numbers) & Bill.month.is_in(months)) if numbers else []
    )
    rows = own + per_number
    rows.sort(key=lambda b: (b["number"], b["legacy_id"]))
    rows.sort(key=lambda b: b["month"], reverse=True)  # newest first; the account's own bill before its numbers'
    return rows


async def latest_account_month(account: str, numbers: list[str]) -> str | None:
    """The newest month with a bill of the account or of one of its numbers."""
    own = (
        await Bill.select(Bill.month)
        .where((Bill.account_legacy_id == account) & (Bill.number == ""))
        .order_by(Bill.month, ascending=False)
        .first()
    )
    latest = [own["month"]] if own else []
    latest += [m for m in [await latest_month(n) for n in numbers] if m]
    return max(latest) if latest else None


async def account_bill(account: str, month: str) -> dict | None:
    """The account's own bill of ``month`` (a combined bill of all its numbers), or None."""
    return (
        await Bill.select(*BILL_COLUMNS)
        .where((Bill.account_legacy_id == account) & (Bill.number == "") & (Bill.month == month))
        .order_by(Bill.legacy_id)
        .first()
    )


async def items_with_numbers(bill_id: str) -> list[dict]:
    """A bill's line items in order, each with the number it charges ("" for a charge of the whole account)."""
    return (
        await BillItem.select(BillItem.code, BillItem.name, BillItem.amount_fen, BillItem.number)
        .where(BillItem.bill_legacy_id == bill_id)
        .order_by(BillItem.position)
    )


def shares(items: list[dict]) -> list[dict]:
    """Each number's share of a combined bill, in first-seen order; charges without a number under "" (the account)."""
    total: dict[str, int] = {}
    for item in items:
        total[item["number"] or ""] = total.get(item["number"] or "", 0) + int(item["amount_fen"])
    return [{"number": number, "amount_fen": fen} for number, fen in total.items()]


async def number_shares(bill_ids: list[str], number: str) -> dict[str, int]:
    """bill id → what ``number``'s items on it add up to (bills where it has none are left out)."""
    if not bill_ids:
        return {}
    rows = await BillItem.select(BillItem.bill_legacy_id, BillItem.amount_fen).where(
        BillItem.bill_legacy_id.is_in(bill_ids) & (BillItem.number == number)
    )
    out: dict[str, int] = {}
    for row in rows:
        out[row["bill_legacy_id"]] = out.get(row["bill_legacy_id"], 0) + int(row["amount_fen"])
    return out
