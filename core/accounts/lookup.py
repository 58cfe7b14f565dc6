"""STAND-IN account queries, until core/legacy/accounts.py (the account sync) lands: swap these for its own.

Only :mod:`core.accounts.services` calls them. They read the contract's tables
as the sync fills them: ``BillingAccount`` rows, ``ServiceNumber.account_legacy_id``
(the paying account; "" when the BSS has no account tier, and then the number
is its own account).
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


async def account_known(legacy_id: str) -> bool:
    """Whether the BSS's accounts table (synced) has this account at all."""
    return await BillingAccount.exists().where(BillingAccount.legacy_id == legacy_id)


async def account_of_number(number: str) -> str:
    """The account paying for ``number``: its ``account_legacy_id``, or the number itself without an account tier."""
    row = await ServiceNumber.select(ServiceNumber.account_legacy_id).where(ServiceNumber.number == number).first()
    return (row["account_legacy_id"] if row else "") or number


async def numbers_of_account(account_legacy_id: str) -> list[str]:
    """The numbers whose ``account_legacy_id`` is this account, in number order (none for a number that is its own account)."""
    rows = (
        await ServiceNumber.select(ServiceNumber.number)
        .where(ServiceNumber.account_legacy_id == account_legacy_id)
        .order_by(ServiceNumber.number)
    )
    return [r["number"] for r in rows]
