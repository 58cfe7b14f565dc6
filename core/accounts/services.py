"""Which billing accounts a signed-in customer sees, with their numbers, and their balances.

A customer reaches an account through a number linked to their log-in (the
same proof the bill pages ask for). The account is theirs when the BSS says so
(its ``BillingAccount`` row names them as owner), or when the BSS has no
account tier (the number is its own account), or when the account is only
known from the lines (no ``BillingAccount`` row: then only their own numbers on
it are shown). An account of another customer that pays for their number
(代付) is not shown: its balance and its other numbers are that customer's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.accounts import lookup
from core.auth.customers import customer_for_account, customer_numbers, linked_numbers
from core.legacy.balances import AccountBalance, balance_of


@dataclass(frozen=True)
class CustomerBillingAccount:
    """A billing account as its owner sees it: ``own_tier`` is false when the BSS has none and the number is the account."""

    legacy_id: str
    name: str
    billing: str  # postpaid | prepaid, as the account table says (the balance may say better)
    status: str
    numbers: tuple[str, ...]
    own_tier: bool

    def has(self, number: str) -> bool:
        return number in self.numbers


async def billing_accounts(login_id: int) -> list[CustomerBillingAccount]:
    """The accounts of the numbers linked to the log-in ``login_id``, in the order the numbers were linked.

    A handful of statements whatever the number of numbers (the home page shows what they owe).
    """
    found = await customer_for_account(login_id)
    if found is None:
        return []
    customer = found[1]["legacy_id"]
    linked = await linked_numbers(login_id)
    account_of = await lookup.account_of_numbers(linked)
    owned = {row["legacy_id"]: row for row in await lookup.accounts_of_customer(customer)}
    tiered = list(dict.fromkeys(a for n, a in account_of.items() if a != n or a in owned))
    numbers_of = await lookup.numbers_of_accounts(tiered)
    rowless = [a for a in tiered if a not in owned]
    somebody_s = await lookup.known_accounts(rowless)  # a row of another customer: their account (代付)
    mine = {n["number"] for n in await customer_numbers(customer)} if set(rowless) - somebody_s else set()
    out: dict[str, CustomerBillingAccount] = {}
    for number in linked:
        account = account_of[number]
        if account in out or account in somebody_s:
            continue
        row = owned.get(account)
        if row is not None:
            numbers = numbers_of[account] or [number]
            out[account] = CustomerBillingAccount(
                account, row["name"], row["billing"], row["status"], tuple(numbers), True
            )
        elif account == number:
            out[account] = CustomerBillingAccount(number, "", "postpaid", "active", (number,), False)
        else:  # known only from the lines: only the customer's own numbers on it
            numbers = [n for n in numbers_of[account] if n in mine] or [number]
            out[account] = CustomerBillingAccount(account, "", "postpaid", "active", tuple(numbers), True)
    return list(out.values())


async def billing_account(login_id: int, legacy_id: str) -> CustomerBillingAccount | None:
    """The log-in's account with this legacy id, or None (someone else's, another tenant's, no such account)."""
    return next((a for a in await billing_accounts(login_id) if a.legacy_id == legacy_id), None)


async def balances(hall, tenant, accounts: list[CustomerBillingAccount]) -> list[AccountBalance | None]:
    """Each account's balance (None without a balances port), asked at the same time: one slow BSS wait, not one per account."""
    return list(await asyncio.gather(*(balance_of(hall, tenant, a.legacy_id) for a in accounts)))
