"""The account of a bill: account-level bills (合账) must name an account the hall holds; per-number bills get the number's.

Looked up a page at a time (one ``IN`` list per few hundred bills), never per
row. A tenant without any billing account (a BSS without an account tier)
skips the look-ups altogether: its numbers have no account to give.
"""

from __future__ import annotations

from core.auth.tables import BillingAccount, ServiceNumber
from core.legacy.sync_engine import chunks


async def _known_accounts(ids: set[str]) -> set[str]:
    known: set[str] = set()
    for part in chunks(sorted(ids)):
        rows = await BillingAccount.select(BillingAccount.legacy_id).where(BillingAccount.legacy_id.is_in(part))
        known |= {r["legacy_id"] for r in rows}
    return known


async def _accounts_of_numbers(numbers: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(sorted(numbers)):
        rows = await ServiceNumber.select(ServiceNumber.number, ServiceNumber.account_legacy_id).where(
            ServiceNumber.number.is_in(part) & (ServiceNumber.account_legacy_id != "")
        )
        found.update((r["number"], r["account_legacy_id"]) for r in rows)
    return found


def unknown_account(account: str) -> str:
    return (
        f"bill of account {account!r} (no number): the hall holds no such account - "
        "sync the customers first, or map the account (accounts table, or numbers.account) in the connector"
    )


async def settle_bill_accounts(bills: list[dict]) -> list[str]:
    """Fill ``account_legacy_id`` of per-number bills from their number; the reason each bill cannot be kept ("" = fine).

    ``bills`` are validated bill values (core.legacy.billing_sync.validate_bill), changed in place.
    """
    if not await BillingAccount.exists():
        return [unknown_account(b["account_legacy_id"]) if not b["number"] else "" for b in bills]
    wanted = {b["account_legacy_id"] for b in bills if not b["number"]}
    known = await _known_accounts(wanted) if wanted else set()
    numbers = {b["number"] for b in bills if b["number"] and not b["account_legacy_id"]}
    of_number = await _accounts_of_numbers(numbers) if numbers else {}
    problems = []
    for bill in bills:
        if not bill["number"]:
            problems.append("" if bill["account_legacy_id"] in known else unknown_account(bill["account_legacy_id"]))
            continue
        if not bill["account_legacy_id"]:
            bill["account_legacy_id"] = of_number.get(bill["number"], "")
        problems.append("")
    return problems
