"""Fingerprints of synced rows: the mapped fields of a row, legacy side or hall side, in one comparable form.

Both sides are computed in Python from the values in the hall's shape (after the
connector's mapping and the sync's validation), so a comparison works whatever
database either side runs on. Used by the bill upsert (write only bills that
differ: a look-back re-read of an unchanged bill writes nothing) and by the
change reconciliation (core.legacy.change_reconcile), which compares a chunk of
rows at a time: equal chunk checksums mean nothing to repair.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from core.auth.tables import BillingAccount, Customer, ServiceNumber
from core.legacy.account_sync import ACCOUNT_FIELDS, derived_account
from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.legacy.sync_engine import chunks

BILL_COMPARED = ("number", "month", "amount_fen", "paid_fen", "status", "due_date", "changed_at", "account_legacy_id")
ITEM_COMPARED = ("position", "code", "name", "amount_fen", "number")
CUSTOMER_COMPARED = ("name", "id_hash", "id_masked", "email", "phone", "address", "status")
NUMBER_COMPARED = ("number", "kind", "status", "account_legacy_id")
ACCOUNT_COMPARED = ("legacy_id", *ACCOUNT_FIELDS)
CALL_COMPARED = ("number", "started_at", "duration_s", "called_number", "call_type", "charge_fen")


def canon(value: Any) -> Any:
    """The same instant or day however a database or a connector hands it back."""
    if isinstance(value, dt.datetime):
        return (
            (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fields(row: dict, names: tuple[str, ...]) -> tuple:
    return tuple(canon(row[n]) for n in names)


def bill_print(values: dict, items: list[dict]) -> tuple:
    """A bill's fingerprint: its compared fields and its items in position order."""
    return _fields(values, BILL_COMPARED), tuple(sorted(_fields(i, ITEM_COMPARED) for i in items))


def customer_print(values: dict, numbers: list[dict], accounts: list[dict] = ()) -> tuple:
    """A customer's fingerprint: its fields, its numbers (with their account) and its accounts (core.legacy.account_sync)."""
    return (
        _fields(values, CUSTOMER_COMPARED),
        tuple(sorted(_fields(n, NUMBER_COMPARED) for n in numbers)),
        tuple(sorted(_fields(a, ACCOUNT_COMPARED) for a in accounts)),
    )


def call_print(values: dict) -> tuple:
    return _fields(values, CALL_COMPARED)


async def held_bills(ids: list[str]) -> dict[str, tuple]:
    """legacy_id -> fingerprint of the hall's bills among ``ids`` (current tenant)."""
    bills: dict[str, dict] = {}
    items: dict[str, list[dict]] = {}
    for part in chunks(ids):
        for row in await Bill.select(Bill.legacy_id, *(getattr(Bill, f) for f in BILL_COMPARED)).where(
            Bill.legacy_id.is_in(part)
        ):
            bills[row["legacy_id"]] = row
        for row in await BillItem.select(BillItem.bill_legacy_id, *(getattr(BillItem, f) for f in ITEM_COMPARED)).where(
            BillItem.bill_legacy_id.is_in(part)
        ):
            items.setdefault(row["bill_legacy_id"], []).append(row)
    return {i: bill_print(row, items.get(i, [])) for i, row in bills.items()}


def _seen_accounts(customer: dict, numbers: list[dict], owned: list[dict], held: set[str]) -> list[dict]:
    """The accounts the customer sync would want for this customer, as the hall holds them.

    Its own accounts, and - for an account its numbers point at that the hall keeps
    with another customer (the sync leaves a payer its account) - the account the
    sync derives from the numbers, which is what the legacy side computes too.
    """
    accounts = list(owned)
    mine = {a["legacy_id"] for a in owned}
    statuses: dict[str, list[str]] = {}
    for n in numbers:
        if n["account_legacy_id"] and n["account_legacy_id"] not in mine and n["account_legacy_id"] in held:
            statuses.setdefault(n["account_legacy_id"], []).append(n["status"])
    for legacy_id, seen in statuses.items():
        accounts.append(vars_of(derived_account(legacy_id, customer["legacy_id"], customer["name"], seen)))
    return accounts


def vars_of(account) -> dict:
    return {f: getattr(account, f) for f in ACCOUNT_COMPARED}


async def _accounts_of(ids: list[str], numbers: dict[str, list[dict]]) -> tuple[dict[str, list[dict]], set[str]]:
    """(owner -> its accounts, the ids of the accounts the numbers point at that the hall holds)."""
    owned: dict[str, list[dict]] = {}
    columns = [getattr(BillingAccount, f) for f in ACCOUNT_COMPARED]
    for part in chunks(ids):
        for row in await BillingAccount.select(*columns).where(BillingAccount.customer_legacy_id.is_in(part)):
            owned.setdefault(row["customer_legacy_id"], []).append(row)
    pointed = {n["account_legacy_id"] for rows in numbers.values() for n in rows if n["account_legacy_id"]}
    held: set[str] = set()
    for part in chunks(sorted(pointed)):
        rows = await BillingAccount.select(BillingAccount.legacy_id).where(BillingAccount.legacy_id.is_in(part))
        held |= {r["legacy_id"] for r in rows}
    return owned, held


async def held_customers(ids: list[str]) -> dict[str, tuple]:
    """legacy_id -> fingerprint (with the service numbers and accounts) of the hall's customers among ``ids``."""
    customers: dict[str, dict] = {}
    numbers: dict[str, list[dict]] = {}
    for part in chunks(ids):
        for row in await Customer.select(Customer.legacy_id, *(getattr(Customer, f) for f in CUSTOMER_COMPARED)).where(
            Customer.legacy_id.is_in(part)
        ):
            customers[row["legacy_id"]] = row
        for row in await ServiceNumber.select(
            ServiceNumber.customer_legacy_id, *(getattr(ServiceNumber, f) for f in NUMBER_COMPARED)
        ).where(ServiceNumber.customer_legacy_id.is_in(part)):
            numbers.setdefault(row["customer_legacy_id"], []).append(row)
    owned, elsewhere = await _accounts_of(list(customers), numbers)
    return {
        i: customer_print(row, numbers.get(i, []), _seen_accounts(row, numbers.get(i, []), owned.get(i, []), elsewhere))
        for i, row in customers.items()
    }


async def held_calls(ids: list[str]) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for part in chunks(ids):
        for row in await CallRecord.select(
            CallRecord.legacy_id, *(getattr(CallRecord, f) for f in CALL_COMPARED)
        ).where(CallRecord.legacy_id.is_in(part)):
            found[row["legacy_id"]] = call_print(row)
    return found


HELD = {"customers": held_customers, "bills": held_bills, "calls": held_calls}


def checksum(prints: dict[str, tuple]) -> str:
    """One checksum over a chunk of fingerprints, independent of their order."""
    digest = hashlib.sha256()
    for legacy_id in sorted(prints):
        digest.update(f"{legacy_id}\x1f{prints[legacy_id]!r}\x1e".encode())
    return digest.hexdigest()
