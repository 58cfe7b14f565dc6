"""STAND-IN account queries, until core/legacy/accounts.py (the account sync) lands: swap these for its own.

Only :mod:`core.accounts.services` calls them. They read the contract's tables
as the sync fills them: ``BillingAccount`` rows, ``ServiceNumber.account_legacy_id``
(the paying account; "" when the BSS has no account tier, and then the number
is its own account). Each takes a list and costs one statement, so a page's
cost does not grow with the customer's numbers.
"""

from __future__ import annotations

from core.auth.tables import BillingAccount, ServiceNumber


async def accounts_of_customer(customer_legacy_id: str) -> list[dict]:
    """The customer's ``BillingAccount`` rows, by legacy id."""
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


async def account_of_numbers(numbers: list[str]) -> dict[str, str]:
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
