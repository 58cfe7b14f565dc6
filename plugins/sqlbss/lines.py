"""The ``lines`` port of the sqlbss connector (a mixin): service lines with tariff, opening date and feature flags.

Lines are the rows of ``[connector.numbers]``; ``[connector.lines]`` names the
extra columns (and an optional tariff table, joined by code). Look-ups are
live and small (one number, one customer's lines), so there is no cache of
rows, only of the resolved names. Also home of the helpers the pool port
shares: typed comparison values and code filters that survive the loader's
lower-casing of map keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import LegacyServiceLine
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss import padding
from plugins.sqlbss.check import _codes
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.mapping import code

SAMPLE = 20
NO_MATCH = object()
INTEGER = re.compile(r"-?\d+")


def python_type(sa_type: Any) -> type:
    try:
        return sa_type.python_type
    except (NotImplementedError, AttributeError):
        return str


def typed(sa_type: Any, value: str) -> Any:
    """``value`` (text from a legacy id or a code map) as the column's type: PostgreSQL refuses text = integer."""
    if python_type(sa_type) is int:
        return int(value) if INTEGER.fullmatch(value.strip()) else NO_MATCH
    return value


def code_in(column: sa.ColumnElement, sa_type: Any, codes: list[str]) -> sa.ColumnElement[bool]:
    """``column`` holds one of ``codes`` (casefolded map keys): numbers compared as numbers, text case- and blank-insensitively."""
    if python_type(sa_type) is int:
        return column.in_([v for v in (typed(sa_type, c) for c in codes) if v is not NO_MATCH])
    return sa.func.lower(sa.func.trim(column)).in_(codes)


def column_types(resolver: _Resolver, table: sa.TableClause) -> dict[str, Any]:
    return {c["name"]: c["type"] for c in resolver.inspector.get_columns(table.name, schema=table.schema)}


def as_issue(tenant_file: str, problem: str) -> ConfigIssue:
    """A converter's problem text (``file: key: reason``) as a ConfigIssue."""
    key, _, reason = problem.removeprefix(tenant_file + ": ").partition(": ")
    return ConfigIssue(tenant_file, key, reason)


@dataclass(frozen=True)
class LineSchema:
    table: sa.TableClause
    cols: dict[str, sa.ColumnElement]  # role -> column of the numbers table
    key: tuple[sa.ColumnElement, ...]  # the customer key columns
    key_types: tuple[Any, ...]
    tariffs: sa.TableClause | None
    tariff_cols: dict[str, sa.ColumnElement]  # code, name, monthly_fee


def resolve_lines(conn: sa.Connection, mapping, file: str) -> tuple[LineSchema | None, list[ConfigIssue]]:
    """Names of ``[connector.lines]`` against the live schema; unknown ones are issues under ``connector.lines.*``."""
    r = _Resolver(conn, file)
    n, ln = mapping.numbers, mapping.lines
    roles = {
        "customer_key": n.customer_key,
        "number": n.number,
        "kind": n.kind,
        "status": n.status,
        "tariff": ln.tariff,
        "opened": ln.opened,
        "long_distance": ln.long_distance,
        "international": ln.international,
    }
    table, found = r.table(n.table, "connector.lines.table", roles)
    tariffs, tfound = None, {}
    if ln.tariffs is not None:
        t = ln.tariffs
        tariffs, tfound = r.table(
            t.table, "connector.lines.tariffs.table", {"code": t.code, "name": t.name, "monthly_fee": t.monthly_fee}
        )
    if table is None or (ln.tariffs is not None and tariffs is None):
        return None, r.issues
    types = column_types(r, table)
    return LineSchema(
        table=table,
        cols={role: table.c[names[0]] for role, names in found.items() if role != "customer_key"},
        key=tuple(table.c[x] for x in found["customer_key"]),
        key_types=tuple(types.get(x) for x in found["customer_key"]),
        tariffs=tariffs,
        tariff_cols={role: tariffs.c[names[0]] for role, names in tfound.items()} if tariffs is not None else {},
    ), []


def lines_select(s: LineSchema) -> sa.Select:
    columns = [*(c.label(f"k{i}") for i, c in enumerate(s.key)), *(c.label(role) for role, c in s.cols.items())]
    source = s.table
    if s.tariffs is not None:
        columns += [s.tariff_cols["name"].label("tariff_name")]
        if "monthly_fee" in s.tariff_cols:
            columns += [s.tariff_cols["monthly_fee"].label("monthly_fee")]
        source = s.table.outerjoin(s.tariffs, s.cols["tariff"] == s.tariff_cols["code"])
    return sa.select(*columns).select_from(source)


class LineConverter:
    """Rows of :func:`lines_select` -> :class:`LegacyServiceLine`."""

    def __init__(self, mapping, s: LineSchema, file: str):
        self.m = mapping
        self.reader = convert.Reader(file, "lines", s.cols, mapping.tz)
        self.fee_reader = convert.Reader(file, "lines.tariffs", s.tariff_cols, mapping.tz)

    def flag(self, row, role: str) -> bool:
        value = getattr(row, role, None)
        return False if convert.text(value) == "" else self.m.lines.flag_map.get(code(value), False)

    def __call__(self, row) -> LegacyServiceLine:
        n, ln, text = self.m.numbers, self.m.lines, convert.text
        key = tuple(getattr(row, f"k{i}") for i in range(len(n.customer_key)))
        kind = n.kind_map.get(code(row.kind), text(row.kind)) if n.kind and text(row.kind) else n.default_kind
        status = n.status_map.get(code(row.status), text(row.status)) if n.status and text(row.status) else "active"
        line = LegacyServiceLine(text(row.number), convert.join_key(key, self.m.customers.key_separator), kind, status)
        fee_format = ln.tariffs.monthly_fee_format if ln.tariffs else "fen_int"
        try:
            fee = (
                self.fee_reader.money(row, "monthly_fee", fee_format, "monthly_fee_format")
                if getattr(row, "monthly_fee", None) is not None
                else 0
            )
            opened = (
                self.reader.time(row, "opened", ln.opened_format, "opened_format").astimezone(self.m.tz).date()
                if ln.opened and text(row.opened)
                else None
            )
        except convert.Problem as exc:
            return replace(line, problem=str(exc))
        return LegacyServiceLine(
            line.number,
            line.customer_id,
            kind,
            status,
            text(getattr(row, "tariff", None)),
            text(getattr(row, "tariff_name", None)),
            fee,
            opened,
            self.flag(row, "long_distance"),
            self.flag(row, "international"),
        )


class LinesPort:
    _line_schema: LineSchema | None = None

    def _lines_resolved(self, conn: sa.Connection) -> LineSchema:
        self._resolved(conn)  # the numbers mapping itself first: its errors name connector.numbers.*
        with self._lock:
            if self._line_schema is None:
                schema, issues = resolve_lines(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._line_schema = schema
            return self._line_schema

    async def line_by_number(self, number: str) -> LegacyServiceLine | None:
        number = number.strip()
        if not number:
            return None

        def work(conn: sa.Connection) -> LegacyServiceLine | None:
            s = self._lines_resolved(conn)
            row = padding.first_row(conn, lines_select(s), (s.cols["number"],), (number,))  # CHAR-padded numbers too
            return None if row is None else LineConverter(self.mapping, s, self.tenant_file)(row)

        return await self._run(work)

    async def lines_of_customer(self, legacy_id: str) -> list[LegacyServiceLine]:
        c = self.mapping.customers
        parts = legacy_id.strip().split(c.key_separator, len(c.key) - 1) if legacy_id.strip() else []
        if len(parts) != len(c.key):
            return []

        def work(conn: sa.Connection) -> list[LegacyServiceLine]:
            s = self._lines_resolved(conn)
            values = [typed(t, p) for t, p in zip(s.key_types, parts)]
            if NO_MATCH in values:
                return []
            rows = padding.rows_for_keys(
                conn,
                lambda condition: lines_select(s).where(condition).order_by(s.cols["number"]),
                s.key,
                [tuple(values)],
                lambda row: tuple(getattr(row, f"k{i}") for i in range(len(s.key))),
            )
            convert_row = LineConverter(self.mapping, s, self.tenant_file)
            return [convert_row(r) for r in rows]

        return await self._run(work)

    def _line_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        s, issues = resolve_lines(conn, self.mapping, self.tenant_file)
        if s is None:
            return issues
        query = lines_select(s)
        number = s.cols["number"]
        rows = [
            *conn.execute(query.order_by(number).limit(SAMPLE)),
            *conn.execute(query.order_by(number.desc()).limit(SAMPLE)),
        ]
        convert_row = LineConverter(self.mapping, s, self.tenant_file)
        bad = next((line.problem for line in map(convert_row, rows) if line.problem), None)
        if bad:
            issues.append(as_issue(self.tenant_file, bad))
        for role in ("long_distance", "international"):
            if role in s.cols:
                issues += _codes(
                    conn, s.cols[role], self.mapping.lines.flag_map, "connector.lines.flag_map", self.tenant_file
                )
        if s.tariffs is not None:  # a tariff code twice would show each of its lines twice (the join)
            issues += duplicated_key(conn, (s.tariff_cols["code"],), "connector.lines.tariffs.code", self.tenant_file)
        return issues

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._line_problems(conn)
