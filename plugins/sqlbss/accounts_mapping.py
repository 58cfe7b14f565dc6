"""``[connector.accounts]``: billing accounts (账户) mapped from an accounts table, and the cross-checks of every account key.

An account pays, holds the balance and receives the bill, and may cover
several lines (合账). Where the BSS has an accounts table, this section maps it:
its key (one or more columns joined with ``key_separator``), the customer
owning it (``customer_key``, in the order of ``customers.key``), an optional
name, and billing (postpaid/prepaid) and status through code maps. Lines
point at their account with ``numbers.account`` (column(s) in the order of
``accounts.key``), account-level bills with ``bills.account``.

Without an accounts table, ``numbers.account`` alone still gives accounts: the
hall derives one per value, owned by the line's customer (core.legacy.account_sync),
and a composite value is joined with ``-``.

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from plugins.sqlbss.mapping import Column, Columns, CustomerStatus, Source, code

Billing = Literal["postpaid", "prepaid"]


class AccountsMap(Source):
    """The accounts table (or a query: one row per account), narrowed by where / where_not like every section."""

    key: Columns = Field(description="Column(s) identifying an account; several are joined with key_separator.")
    key_separator: str = Field("-", max_length=3, description="Joins a composite key into the account's legacy_id.")
    customer_key: Columns = Field(
        description="Column(s) pointing at the owning customer, in the order of customers.key."
    )
    name: Column | None = Field(None, description="Account name (on the bill); omitted: the customer's.")
    billing: Column | None = Field(
        None, description="Billing type column (postpaid/prepaid); omitted: default_billing."
    )
    billing_map: dict[str, Billing] = Field(
        default_factory=dict, description="Legacy billing code -> postpaid|prepaid."
    )
    default_billing: Billing = Field("postpaid", description="Billing of every account when billing is omitted.")
    status: Column | None = Field(None, description="Status column; omitted means every account is active.")
    status_map: dict[str, CustomerStatus] = Field(
        default_factory=dict, description="Legacy account status code -> active|suspended|closed."
    )

    _codes = field_validator("billing_map", "status_map")(
        classmethod(lambda cls, v: {code(k): x for k, x in v.items()})
    )


def _width(problems: list, key: str, columns: list[str] | None, wanted: int, against: str) -> None:
    if columns is not None and len(columns) != wanted:
        problems.append((key, f"has {len(columns)} column(s) but {against} has {wanted}"))


def accounts_cross_checks(m) -> list[tuple[str, str]]:
    """Problems between the account keys of customers, accounts, numbers and bills (file and key added by the caller)."""
    problems: list[tuple[str, str]] = []
    a, account = m.accounts, m.numbers.account
    if a is not None:
        _width(problems, "accounts.customer_key", a.customer_key, len(m.customers.key), "customers.key")
        if account is None:
            problems.append(("numbers.account", "required with [connector.accounts] (the account paying for a line)"))
        _width(problems, "numbers.account", account, len(a.key), "accounts.key")
        if a.billing and not a.billing_map:
            problems.append(
                ("accounts.billing_map", "required when accounts.billing is set (legacy code -> postpaid|prepaid)")
            )
        if a.status and not a.status_map:
            problems.append(
                ("accounts.status_map", "required when accounts.status is set (legacy code -> active|suspended|closed)")
            )
    b = m.bills
    if b is not None:
        if b.number is None and b.account is None:
            problems.append(("bills.number", "give bills.number, bills.account (bills of a whole account), or both"))
        if b.account is not None:
            if a is not None:
                _width(problems, "bills.account", b.account, len(a.key), "accounts.key")
            elif account is not None:
                _width(problems, "bills.account", b.account, len(account), "numbers.account")
            else:
                problems.append(
                    (
                        "bills.account",
                        "needs [connector.accounts] or numbers.account: the hall must know every account's customer",
                    )
                )
    return problems
