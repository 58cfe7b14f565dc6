"""Reading billing accounts (``[connector.accounts]``): a page of customers' accounts in one query, and account values.

An account's legacy_id is its key columns joined with ``accounts.key_separator``;
the account a line or a bill names (``numbers.account``, ``bills.account``) is
joined the same way, so the three agree. Accounts are read a page of customers
at a time, by their ``customer_key`` (padded or not, see :mod:`padding`), and
handed with their customer (``LegacyCustomer.accounts``); the hall's customer
sync stores them in the customer's transaction.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import LegacyAccount, LegacyCustomer
from plugins.sqlbss import padding
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.mapping import code

IN_LIST = 500
ACCOUNT_ROLES = ("name", "billing", "status")
DERIVED_SEPARATOR = "-"  # joins a composite numbers.account when no [connector.accounts] says otherwise


def account_separator(m) -> str:
    """What joins a composite account value: ``accounts.key_separator``, else ``-``."""
    return m.accounts.key_separator if m.accounts is not None else DERIVED_SEPARATOR


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def account_value(row: Any, width: int, separator: str, prefix: str = "account") -> str:
    """The account a row names (columns labelled ``account0``...); "" when they are all empty."""
    parts = [_text(getattr(row, f"{prefix}{i}", None)) for i in range(width)]
    return separator.join(parts) if any(parts) else ""


@dataclass(frozen=True)
class AccountSchema:
    cols: dict[str, sa.ColumnElement]  # key0.., customer0.., name, billing, status
    key: tuple[sa.ColumnElement, ...]
    customer_key: tuple[sa.ColumnElement, ...]
    frame: Frame  # the accounts table (or query) with its look-ups and row filter


def resolve_accounts(conn: sa.Connection, m, file: str) -> tuple[AccountSchema | None, list[ConfigIssue]]:
    """``[connector.accounts]`` against the live schema: every role may be an expression (frames.py)."""
    a = m.accounts
    r = _Resolver(conn, file)
    sec = SectionResolver(r, "accounts", a)
    key = sec.columns("key", a.key)
    customer_key = sec.columns("customer_key", a.customer_key)
    cols = {role: sec.column(role, getattr(a, role)) for role in ACCOUNT_ROLES if getattr(a, role) is not None}
    frame = sec.frame()
    if r.issues:
        return None, r.issues
    cols |= {f"key{i}": c for i, c in enumerate(key)}
    cols |= {f"customer{i}": c for i, c in enumerate(customer_key)}
    return AccountSchema(cols=cols, key=key, customer_key=customer_key, frame=frame), []


def _parts(items: list, size: int = IN_LIST):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class AccountReader:
    """The accounts of a page of customers, for one connector (the schema resolved once)."""

    def __init__(self, mapping, tenant_file: str):
        self.m, self.file = mapping, tenant_file
        self._schema: AccountSchema | None = None
        self._lock = threading.Lock()

    def schema(self, conn: sa.Connection) -> AccountSchema:
        with self._lock:
            if self._schema is None:
                schema, issues = resolve_accounts(conn, self.m, self.file)
                if issues:
                    raise ConfigError(issues)
                self._schema = schema
            return self._schema

    def account(self, row) -> LegacyAccount:
        a = self.m.accounts
        billing = a.default_billing
        if a.billing and _text(row.billing):
            billing = a.billing_map.get(code(row.billing), _text(row.billing))  # unmapped: rejected by name
        status = "active"
        if a.status and _text(row.status):
            status = a.status_map.get(code(row.status), _text(row.status))
        return LegacyAccount(
            legacy_id=account_value(row, len(a.key), a.key_separator, "key"),
            customer_id=account_value(row, len(a.customer_key), self.m.customers.key_separator, "customer"),
            name=_text(getattr(row, "name", None)),
            billing=billing,
            status=status,
        )

    def attach(self, conn: sa.Connection, customers: list[LegacyCustomer]) -> list[LegacyCustomer]:
        """``customers`` with their accounts from the accounts table (one keyed read per few hundred customers)."""
        if self.m.accounts is None or not customers:
            return customers
        from plugins.sqlbss.billing_db import typed_keys

        s = self.schema(conn)
        c = self.m.customers
        width = len(c.key)
        keys = typed_keys(s.customer_key, [tuple(x.legacy_id.split(c.key_separator, width - 1)) for x in customers])
        owned: dict[str, list[LegacyAccount]] = {}
        query = s.frame.select(*(col.label(role) for role, col in s.cols.items()))
        for part in _parts(keys):
            rows = padding.rows_for_keys(
                conn,
                lambda condition: query.where(condition).order_by(*s.key),
                s.customer_key,
                part,
                lambda row: tuple(getattr(row, f"customer{i}") for i in range(width)),
            )
            for row in rows:
                account = self.account(row)
                owned.setdefault(account.customer_id, []).append(account)
        return [dataclasses.replace(x, accounts=tuple(owned.get(x.legacy_id, ()))) for x in customers]


def numbers_account(m, row) -> str:
    """The account a service-line row names (``numbers.account``), "" when unmapped or empty."""
    width = len(m.numbers.account or ())
    return account_value(row, width, account_separator(m)) if width else ""
