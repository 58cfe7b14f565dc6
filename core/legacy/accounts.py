"""Billing accounts (账户) as the hall holds them: a customer's accounts, the account of a number, an account's numbers.

Read-only views over the synced ``BillingAccount`` and ``ServiceNumber`` tables,
scoped to the current tenant like every query on them. One convention makes
every tenant look the same to the pages: when the BSS has no account tier
(``ServiceNumber.account_legacy_id`` is ""), a number is its own account - an
:class:`AccountSummary` with ``legacy_id`` = the number, ``own`` = True, the
owner's name, postpaid, and the number's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.auth.tables import BillingAccount, Customer, ServiceNumber

ACCOUNT_COLUMNS = (
    BillingAccount.legacy_id,
    BillingAccount.customer_legacy_id,
    BillingAccount.name,
    BillingAccount.billing,
    BillingAccount.status,
)
NUMBER_COLUMNS = (
    ServiceNumber.number,
    ServiceNumber.customer_legacy_id,
    ServiceNumber.kind,
    ServiceNumber.status,
    ServiceNumber.account_legacy_id,
)


@dataclass(frozen=True)
class AccountLine:
    """A service number on an account."""

    number: str
    customer_legacy_id: str
    kind: str = "phone"
    status: str = "active"


@dataclass(frozen=True)
class AccountSummary:
    """A billing account and the numbers it pays for, ordered by number.

    ``own`` is True for a number standing as its own account (a BSS without an
    account tier): ``legacy_id`` is then the number itself.
    """

    legacy_id: str
    customer_legacy_id: str
    name: str = ""
    billing: str = "postpaid"  # postpaid | prepaid
    status: str = "active"  # active | suspended | closed
    numbers: tuple[AccountLine, ...] = ()
    own: bool = False


def _line(row: dict) -> AccountLine:
    return AccountLine(row["number"], row["customer_legacy_id"], row["kind"], row["status"])


def _summary(row: dict, numbers: list[dict]) -> AccountSummary:
    return AccountSummary(
        legacy_id=row["legacy_id"],
        customer_legacy_id=row["customer_legacy_id"],
        name=row["name"],
        billing=row["billing"],
        status=row["status"],
        numbers=tuple(_line(n) for n in sorted(numbers, key=lambda n: n["number"])),
    )


def _own(number: dict, owner_name: str) -> AccountSummary:
    """A number as its own account (no account tier in the BSS)."""
    return AccountSummary(
        legacy_id=number["number"],
        customer_legacy_id=number["customer_legacy_id"],
        name=owner_name,
        status=number["status"],
        numbers=(_line(number),),
        own=True,
    )


def _missing(account_id: str, numbers: list[dict], owner_name: str) -> AccountSummary:
    """An account numbers point at but the hall holds no row for (not synced yet): what the numbers say."""
    owner = numbers[0]["customer_legacy_id"] if numbers else ""
    return _summary(
        dict(legacy_id=account_id, customer_legacy_id=owner, name=owner_name, billing="postpaid", status="active"),
        numbers,
    )


async def _customer_name(legacy_id: str) -> str:
    row = await Customer.select(Customer.name).where(Customer.legacy_id == legacy_id).first()
    return row["name"] if row else ""


async def accounts_of_customer(customer_legacy_id: str) -> list[AccountSummary]:
    """The accounts paying for the customer's numbers and the accounts the customer owns, ordered by legacy_id.

    An account the customer owns lists all its numbers; an account of someone
    else that pays for one of the customer's numbers lists only the customer's
    numbers on it. Numbers without an account stand as their own accounts.
    """
    owned = await BillingAccount.select(*ACCOUNT_COLUMNS).where(BillingAccount.customer_legacy_id == customer_legacy_id)
    owned_ids = [r["legacy_id"] for r in owned]
    query = ServiceNumber.customer_legacy_id == customer_legacy_id
    if owned_ids:
        query = query | ServiceNumber.account_legacy_id.is_in(owned_ids)
    numbers = await ServiceNumber.select(*NUMBER_COLUMNS).where(query)
    by_account: dict[str, list[dict]] = {}
    for n in numbers:
        if n["account_legacy_id"] in owned_ids or n["customer_legacy_id"] == customer_legacy_id:
            by_account.setdefault(n["account_legacy_id"], []).append(n)
    rows = {r["legacy_id"]: r for r in owned}
    others = [a for a in by_account if a and a not in rows]
    if others:
        for r in await BillingAccount.select(*ACCOUNT_COLUMNS).where(BillingAccount.legacy_id.is_in(others)):
            rows[r["legacy_id"]] = r
    name = await _customer_name(customer_legacy_id)
    out = [_summary(row, by_account.get(legacy_id, [])) for legacy_id, row in rows.items()]
    out += [_missing(a, by_account[a], name) for a in others if a not in rows]
    out += [_own(n, name) for n in by_account.get("", [])]
    return sorted(out, key=lambda a: a.legacy_id)


async def numbers_of_account(account_legacy_id: str) -> list[AccountLine]:
    """The numbers the account pays for, ordered; for a number standing as its own account, that number."""
    rows = (
        await ServiceNumber.select(*NUMBER_COLUMNS)
        .where(ServiceNumber.account_legacy_id == account_legacy_id)
        .order_by(ServiceNumber.number)
    )
    if not rows and account_legacy_id:
        rows = await ServiceNumber.select(*NUMBER_COLUMNS).where(
            (ServiceNumber.number == account_legacy_id) & (ServiceNumber.account_legacy_id == "")
        )
    return [_line(r) for r in rows]


async def account_by_id(account_legacy_id: str) -> AccountSummary | None:
    """The account with this legacy_id (or the number standing as its own account), with its numbers; None if unknown."""
    if not account_legacy_id:
        return None
    row = await BillingAccount.select(*ACCOUNT_COLUMNS).where(BillingAccount.legacy_id == account_legacy_id).first()
    numbers = await ServiceNumber.select(*NUMBER_COLUMNS).where(ServiceNumber.account_legacy_id == account_legacy_id)
    if row is not None:
        return _summary(row, numbers)
    if numbers:
        return _missing(account_legacy_id, numbers, await _customer_name(numbers[0]["customer_legacy_id"]))
    own = (
        await ServiceNumber.select(*NUMBER_COLUMNS)
        .where((ServiceNumber.number == account_legacy_id) & (ServiceNumber.account_legacy_id == ""))
        .first()
    )
    return _own(own, await _customer_name(own["customer_legacy_id"])) if own else None


async def account_of_number(number: str) -> AccountSummary | None:
    """The account paying for ``number`` with all its numbers; the number as its own account when it has none.

    None when the hall holds no such number.
    """
    row = await ServiceNumber.select(*NUMBER_COLUMNS).where(ServiceNumber.number == number).first()
    if row is None:
        return None
    if not row["account_legacy_id"]:
        return _own(row, await _customer_name(row["customer_legacy_id"]))
    return await account_by_id(row["account_legacy_id"])


# Batch look-ups: each takes a list and costs one statement, so a page's cost does not grow with the customer's
# numbers (the home page shows what every linked number owes; tests/core/test_customer_home.py counts statements).
async def account_rows_of_customer(customer_legacy_id: str) -> list[dict]:
    """The customer's own ``BillingAccount`` rows, by legacy id."""
    return (
        await BillingAccount.select()
        .where(BillingAccount.customer_legacy_id == customer_legacy_id)
        .order_by(BillingAccount.legacy_id)
    )


async def known_accounts(legacy_ids: list[str]) -> set[str]:
    """Which of these accounts the BSS's accounts table (synced) has at all."""
    if not legacy_ids:
        return set()
    rows = await BillingAccount.select(BillingAccount.legacy_id).where(BillingAccount.legacy_id.is_in(legacy_ids))
    return {r["legacy_id"] for r in rows}


async def accounts_of_numbers(numbers: list[str]) -> dict[str, str]:
    """number → the account paying for it: its ``account_legacy_id``, or the number itself without an account tier."""
    if not numbers:
        return {}
    rows = await ServiceNumber.select(ServiceNumber.number, ServiceNumber.account_legacy_id).where(
        ServiceNumber.number.is_in(numbers)
    )
    found = {r["number"]: r["account_legacy_id"] for r in rows}
    return {n: found.get(n) or n for n in numbers}


async def numbers_of_accounts(legacy_ids: list[str]) -> dict[str, list[str]]:
    """account → the numbers whose ``account_legacy_id`` it is, in number order (none for a number that is its own account)."""
    out: dict[str, list[str]] = {a: [] for a in legacy_ids}
    if not legacy_ids:
        return out
    rows = (
        await ServiceNumber.select(ServiceNumber.number, ServiceNumber.account_legacy_id)
        .where(ServiceNumber.account_legacy_id.is_in(legacy_ids))
        .order_by(ServiceNumber.number)
    )
    for r in rows:
        out[r["account_legacy_id"]].append(r["number"])
    return out
