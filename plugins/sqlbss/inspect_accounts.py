"""The accounts table in a draft mapping (``hall connector inspect``): a table whose key the lines and bills both carry.

A billing account table holds the customer's key (it belongs to a customer),
has a primary key of its own, and its key columns appear, by name, in the
service-line table (the account paying for a line) and, when there is one,
in the bill table (bills of a whole account). The candidate matching the most
account roles (name, billing type, status) wins. A guess, like the rest of the
draft: ``hall check`` will tell.
"""

from __future__ import annotations

from plugins.sqlbss.inspect import TableReport

ROLES = {
    "name": ("ZHMC", "HM_MC", "ACCT_NAME", "ACCOUNT_NAME", "PAY_NAME", "NAME"),
    "billing": ("FFLX", "FFMS", "PAY_MODE", "PAY_MODE_CODE", "PAYMENT_MODE", "PAY_TYPE", "BILLING_TYPE"),
    "status": ("ZHZT", "ZT", "ACCT_STS", "ACCT_STATE", "STATE", "STATUS"),
}
MAPS = {"billing": ("billing_map", "postpaid|prepaid"), "status": ("status_map", "active|suspended|closed")}


def _has(table: TableReport, columns: list[str]) -> bool:
    return bool(columns) and all(table.column(c) is not None for c in columns)


def _roles(table: TableReport, taken: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for role, synonyms in ROLES.items():
        for wanted in synonyms:
            col = table.column(wanted)
            if col is not None and col.name not in taken and col.name not in found.values():
                found[role] = col.name
                break
    return found


def guess_accounts(tables: list[TableReport], used: set[str], customer_key: list[str], lines: TableReport):
    """(table, key, roles) of the likeliest accounts table, or None."""
    best, best_score = None, 0
    for table in tables:
        key = table.primary_key
        if table.name in used or not key or key == customer_key or not _has(table, customer_key):
            continue
        if set(c.casefold() for c in key) <= set(c.casefold() for c in customer_key) or not _has(lines, key):
            continue
        roles = _roles(table, set(key) | set(customer_key))
        billed = any(
            t.name not in used and t.name != table.name and _has(t, key) and t.primary_key != key for t in tables
        )
        score = len(roles) * 10 + (5 if billed else 0) + min(table.rows, 4)
        if score > best_score:
            best, best_score = (table, key, roles), score
    return best
