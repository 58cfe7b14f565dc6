"""What the API's resources read for the calling customer: their linked numbers and accounts bound every query, so a
customer's token never reaches another customer's rows (and the tenant scoping keeps other tenants out)."""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts.services import billing_accounts
from core.auth.customers import customer_for_account, linked_numbers
from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.tmf.caller import ApiError
from core.i18n import N_

NONE = ["-"]  # is_in() of an empty list: a value no row holds


@dataclass(frozen=True)
class Holdings:
    """The customer behind a token: their legacy id, linked numbers and billing accounts."""

    account_id: int
    legacy_id: str
    name: str
    numbers: list[str]
    accounts: list

    @property
    def account_ids(self) -> list[str]:
        return [a.legacy_id for a in self.accounts]


async def holdings(account_id: int) -> Holdings:
    found = await customer_for_account(account_id)
    if found is None:
        raise ApiError(403, N_("Only a customer's token reads this."), "no_customer")
    account, customer = found
    return Holdings(
        account_id,
        customer["legacy_id"],
        customer["name"],
        await linked_numbers(account_id),
        await billing_accounts(account_id),
    )


def _bills_of(h: Holdings):
    return (Bill.number.is_in(h.numbers or NONE)) | (
        Bill.account_legacy_id.is_in(h.account_ids or NONE) & (Bill.number == "")
    )


async def bills(h: Holdings, offset: int, limit: int, state: str | None = None) -> tuple[list[dict], int]:
    where = _bills_of(h)
    if state:
        where = where & (Bill.status == state)
    rows = (
        await Bill.select()
        .where(where)
        .order_by(Bill.month, ascending=False)
        .order_by(Bill.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return rows, await Bill.count().where(where)


async def bill(h: Holdings, legacy_id: str) -> dict | None:
    return await Bill.select().where(_bills_of(h) & (Bill.legacy_id == legacy_id[:64])).first()


async def bill_items(h: Holdings, bill_id: str | None, offset: int, limit: int) -> tuple[list[dict], int]:
    if bill_id is not None:
        ids = [bill_id] if await bill(h, bill_id) else NONE
    else:
        ids = [r["legacy_id"] for r in await Bill.select(Bill.legacy_id).where(_bills_of(h))] or NONE
    where = BillItem.bill_legacy_id.is_in(ids)
    rows = (
        await BillItem.select()
        .where(where)
        .order_by(BillItem.bill_legacy_id, ascending=False)
        .order_by(BillItem.position)
        .offset(offset)
        .limit(limit)
    )
    return rows, await BillItem.count().where(where)


async def bill_item(h: Holdings, legacy_id: str) -> dict | None:
    row = await BillItem.select().where(BillItem.legacy_id == legacy_id[:80]).first()
    return row if row and await bill(h, row["bill_legacy_id"]) else None


async def calls(h: Holdings, offset: int, limit: int, number: str | None = None) -> tuple[list[dict], int]:
    numbers = [n for n in h.numbers if number in (None, n)] or NONE
    where = CallRecord.number.is_in(numbers)
    rows = (
        await CallRecord.select()
        .where(where)
        .order_by(CallRecord.started_at, ascending=False)
        .order_by(CallRecord.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return rows, await CallRecord.count().where(where)


async def call(h: Holdings, legacy_id: str) -> dict | None:
    return (
        await CallRecord.select()
        .where(CallRecord.number.is_in(h.numbers or NONE) & (CallRecord.legacy_id == legacy_id[:64]))
        .first()
    )
