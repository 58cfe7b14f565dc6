"""The ``balances`` port of the sqlbss connector (a mixin): one account's balance, read live from ``[connector.balances]``.

A look-up is one indexed row (the account column(s), padded or not:
padding.py); with ``as_of`` mapped the newest row wins, so a history table
works too. A value that does not convert comes back as a ``LegacyBalance``
with ``problem`` set (the hall then shows the last figure it knows), naming
the tenant file, the key, the table, the column and the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import LegacyBalance
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss import padding
from plugins.sqlbss.check import _codes
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.lines import NO_MATCH, as_issue, column_types, typed
from plugins.sqlbss.mapping import code

SAMPLE = 20


@dataclass(frozen=True)
class BalanceSchema:
    table: sa.TableClause
    key: tuple[sa.ColumnElement, ...]  # the account column(s)
    key_types: tuple[Any, ...]
    cols: dict[str, sa.ColumnElement]  # balance, as_of, billing


def resolve_balances(conn: sa.Connection, mapping, file: str) -> tuple[BalanceSchema | None, list[ConfigIssue]]:
    """Names of ``[connector.balances]`` against the live schema; unknown ones are issues under ``connector.balances.*``."""
    b = mapping.balances
    r = _Resolver(conn, file)
    table, found = r.table(
        b.table,
        "connector.balances.table",
        {"account": b.account, "balance": b.balance, "as_of": b.as_of, "billing": b.billing},
    )
    if table is None:
        return None, r.issues
    types = column_types(r, table)
    return BalanceSchema(
        table=table,
        key=tuple(table.c[x] for x in found["account"]),
        key_types=tuple(types.get(x) for x in found["account"]),
        cols={role: table.c[names[0]] for role, names in found.items() if role != "account"},
    ), []


def balance_select(s: BalanceSchema) -> sa.Select:
    query = sa.select(*(c.label(role) for role, c in s.cols.items()))
    return query.order_by(s.cols["as_of"].desc()) if "as_of" in s.cols else query


def convert_balance(mapping, s: BalanceSchema, file: str, account: str, row, asked_at: dt.datetime) -> LegacyBalance:
    b = mapping.balances
    reader = convert.Reader(file, "balances", s.cols, mapping.tz)
    billing = b.default_billing
    if b.billing:
        raw = getattr(row, "billing", None)
        billing = b.billing_map.get(code(raw)) if convert.text(raw) else b.default_billing
    try:
        fen = reader.money(row, "balance", b.balance_format, "balance_format")
        as_of = (
            reader.time(row, "as_of", b.as_of_format, "as_of_format")
            if b.as_of and convert.text(getattr(row, "as_of", None))
            else asked_at
        )
    except convert.Problem as exc:
        return LegacyBalance(account, 0, asked_at, billing or b.default_billing, problem=str(exc))
    if billing is None:
        where = f"{s.cols['billing'].table.name}.{s.cols['billing'].name}"
        problem = f"{file}: connector.balances.billing_map: code {convert.text(raw)!r} in {where} has no entry"
        return LegacyBalance(account, fen, as_of, b.default_billing, problem=problem)
    return LegacyBalance(account, fen, as_of, billing)


class BalancesPort:
    _balance_schema: BalanceSchema | None = None

    def _balances_resolved(self, conn: sa.Connection) -> BalanceSchema:
        with self._lock:
            if self._balance_schema is None:
                schema, issues = resolve_balances(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._balance_schema = schema
            return self._balance_schema

    async def balance_of(self, account: str) -> LegacyBalance | None:
        b = self.mapping.balances
        wanted = account.strip()
        parts = wanted.split(b.key_separator, len(b.account) - 1) if wanted else []
        if len(parts) != len(b.account):
            return None

        def work(conn: sa.Connection) -> LegacyBalance | None:
            s = self._balances_resolved(conn)
            values = tuple(typed(t, p) for t, p in zip(s.key_types, parts))
            if NO_MATCH in values:
                return None
            asked_at = dt.datetime.now(dt.timezone.utc)
            row = padding.first_row(conn, balance_select(s), s.key, values)  # a CHAR-padded number or key too
            return None if row is None else convert_balance(self.mapping, s, self.tenant_file, wanted, row, asked_at)

        return await self._run(work)

    def _balance_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        """``hall check``: the names, a sample of rows that must convert, billing codes with no entry, repeated accounts."""
        s, issues = resolve_balances(conn, self.mapping, self.tenant_file)
        if s is None:
            return issues
        b, file = self.mapping.balances, self.tenant_file
        query = sa.select(*(c.label(f"k{i}") for i, c in enumerate(s.key)), *(c.label(r) for r, c in s.cols.items()))
        first = s.key[0]
        rows = [
            *conn.execute(query.order_by(first).limit(SAMPLE)),
            *conn.execute(query.order_by(first.desc()).limit(SAMPLE)),
        ]
        now = dt.datetime.now(dt.timezone.utc)
        bad = next(
            (
                got.problem
                for got in (convert_balance(self.mapping, s, file, "", r, now) for r in rows)
                if got.problem and "billing_map" not in got.problem
            ),
            None,
        )
        if bad:
            issues.append(as_issue(file, bad))
        if b.billing:
            issues += _codes(conn, s.cols["billing"], b.billing_map, "connector.balances.billing_map", file)
        if not b.as_of:  # without a time to pick the newest, an account must have one row
            issues += duplicated_key(conn, s.key, "connector.balances.account", file, b.key_separator)
        return issues

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._balance_problems(conn)
