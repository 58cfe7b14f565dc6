"""Billing accounts (账户) in the customer sync: validated with their customer, written in the same transaction.

A customer's accounts are the ones its connector hands (``LegacyCustomer.accounts``)
plus, for every account its numbers point at that the connector did not hand, a
*derived* one: legacy_id = that account, owned by the customer, named after
the customer, postpaid, active while one of its numbers is (else suspended
while one is, else closed). A BSS without an accounts table thus still gets
accounts when its lines and bills carry an account column.

Accounts behave like numbers: the hall's accounts of the customers on a page
are made exactly the wanted ones - new or changed ones upserted, vanished ones
deleted. One exception keeps a payer's account its own: a derived account
never takes over an account the hall holds for a customer outside the page
(a company paying for an employee's line hands the account with the company).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.auth.tables import BillingAccount
from core.legacy.ports import ACCOUNT_BILLING, LegacyAccount, LegacyServiceNumber
from core.legacy.sync_engine import chunks

ACCOUNT_FIELDS = ("customer_legacy_id", "name", "billing", "status")
STATUSES = ("active", "suspended", "closed")


@dataclass(frozen=True)
class AccountRow:
    """A validated account in the hall's shape; ``derived`` when no connector record stands behind it."""

    legacy_id: str
    customer_legacy_id: str
    name: str
    billing: str = "postpaid"
    status: str = "active"
    derived: bool = False

    def values(self) -> dict:
        return {f: getattr(self, f) for f in ACCOUNT_FIELDS}


def _text(label: str, value: str, size: int) -> str:
    text = (value or "").strip()
    if len(text) > size:
        raise ValueError(f"{label} is longer than {size} characters")
    return text


def account_id(number: str, value: str) -> str:
    """A number's account id, stripped; ValueError when too long."""
    return _text(f"number {number}: account", value, 64)


def derived_status(statuses: list[str]) -> str:
    """A derived account is as alive as its liveliest number."""
    for status in STATUSES:
        if status in statuses:
            return status
    return "active"


def derived_account(legacy_id: str, customer_legacy_id: str, name: str, statuses: list[str]) -> AccountRow:
    return AccountRow(legacy_id, customer_legacy_id, name, "postpaid", derived_status(statuses), derived=True)


def validate_accounts(
    customer_legacy_id: str, name: str, accounts: tuple[LegacyAccount, ...], lines: list[LegacyServiceNumber]
) -> tuple[AccountRow, ...]:
    """The customer's accounts (handed, then derived), ordered by legacy_id; ValueError naming what is wrong."""
    rows: dict[str, AccountRow] = {}
    for account in accounts:
        legacy_id = _text("account", account.legacy_id, 64)
        if not legacy_id:
            raise ValueError("empty account legacy id")
        owner = (account.customer_id or "").strip()
        if owner and owner != customer_legacy_id:
            raise ValueError(f"account {legacy_id} belongs to customer {owner!r}, not to this one")
        if account.billing not in ACCOUNT_BILLING:
            raise ValueError(
                f"account {legacy_id}: billing {account.billing!r} is not one of {', '.join(ACCOUNT_BILLING)} "
                "(map it in the connector)"
            )
        if account.status not in STATUSES:
            raise ValueError(
                f"account {legacy_id}: status {account.status!r} is not one of {', '.join(STATUSES)} "
                "(map it in the connector)"
            )
        account_name = _text(f"account {legacy_id}: name", account.name, 100) or name
        rows[legacy_id] = AccountRow(legacy_id, customer_legacy_id, account_name, account.billing, account.status)
    statuses: dict[str, list[str]] = {}
    for line in lines:
        if line.account and line.account not in rows:
            statuses.setdefault(line.account, []).append(line.status)
    for legacy_id, seen in statuses.items():
        rows[legacy_id] = derived_account(legacy_id, customer_legacy_id, name, seen)
    return tuple(sorted(rows.values(), key=lambda a: a.legacy_id))


def wanted_accounts(per_customer: list[tuple[AccountRow, ...]]) -> dict[str, AccountRow]:
    """legacy_id -> account over a page; an account handed by a connector beats one derived elsewhere."""
    wanted: dict[str, AccountRow] = {}
    for accounts in per_customer:
        for account in accounts:
            prior = wanted.get(account.legacy_id)
            if prior is None or (prior.derived and not account.derived):
                wanted[account.legacy_id] = account
    return wanted


async def _held(ids: list[str], owners: list[str]) -> dict[str, dict]:
    columns = (BillingAccount.legacy_id, *(getattr(BillingAccount, f) for f in ACCOUNT_FIELDS))
    held: dict[str, dict] = {}
    for part in chunks(ids):
        for row in await BillingAccount.select(*columns).where(BillingAccount.legacy_id.is_in(part)):
            held[row["legacy_id"]] = row
    for part in chunks(owners):
        for row in await BillingAccount.select(*columns).where(BillingAccount.customer_legacy_id.is_in(part)):
            held[row["legacy_id"]] = row
    return held


@dataclass
class AccountCounts:
    created: int = 0
    updated: int = 0
    removed: int = 0


async def write_accounts(per_customer: dict[str, tuple[AccountRow, ...]], now: dt.datetime) -> AccountCounts:
    """Make the hall's accounts of these customers (legacy_id -> accounts) the wanted ones; what changed."""
    counts = AccountCounts()
    wanted = wanted_accounts(list(per_customer.values()))
    owners = set(per_customer)
    held = await _held(list(wanted), list(owners))
    for legacy_id, account in list(wanted.items()):
        old = held.get(legacy_id)
        if account.derived and old and old["customer_legacy_id"] not in owners:
            del wanted[legacy_id]  # the payer outside this page keeps its account
    vanished = [i for i, r in held.items() if r["customer_legacy_id"] in owners and i not in wanted]
    for part in chunks(vanished):
        await BillingAccount.delete().where(BillingAccount.legacy_id.is_in(part))
    counts.removed = len(vanished)
    changed = []
    for legacy_id, account in wanted.items():
        old = held.get(legacy_id)
        if old is None:
            counts.created += 1
        elif any(old[f] != getattr(account, f) for f in ACCOUNT_FIELDS):
            counts.updated += 1
        else:
            continue
        changed.append(BillingAccount(legacy_id=legacy_id, synced_at=now, **account.values()))
    update = [getattr(BillingAccount, f) for f in ACCOUNT_FIELDS] + [BillingAccount.synced_at]
    for part in chunks(changed, 250):
        await BillingAccount.insert(*part).on_conflict(
            target=(BillingAccount.tenant, BillingAccount.legacy_id), action="DO UPDATE", values=update
        )
    return counts
