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
from plugins.sqlbss.check import _codes, lookup_problems
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.check_plausible import named_by_code
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.sql_parts import join_equals
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


def as_issue(tenant_file: str, problem: str) -> ConfigIssue:
    """A converter's problem text (``file: key: reason``) as a ConfigIssue."""
    key, _, reason = problem.removeprefix(tenant_file + ": ").partition(": ")
    return ConfigIssue(tenant_file, key, reason)


@dataclass(frozen=True)
class LineSchema:
    frame: Frame  # the numbers section, outer-joined with the tariffs when mapped
    cols: dict[str, sa.ColumnElement]  # role -> its SQL over the numbers section
    key: tuple[sa.ColumnElement, ...]  # the customer key columns
    key_types: tuple[Any, ...]
    tariff_cols: dict[str, sa.ColumnElement]  # code, name, monthly_fee (as mapped: for messages)
    tariff_frame: Frame | None = None
    tariffs: sa.Subquery | None = None  # the tariffs section as joined to the lines (code, name, monthly_fee)


LINE_ROLES = ("tariff", "opened", "long_distance", "international")


def resolve_lines(conn: sa.Connection, mapping, file: str) -> tuple[LineSchema | None, list[ConfigIssue]]:
    """Names of ``[connector.lines]`` against the live schema; unknown ones are issues under ``connector.lines.*``."""
    r = _Resolver(conn, file)
    n, ln = mapping.numbers, mapping.lines
    ns = SectionResolver(r, "numbers", n)
    key = ns.columns("customer_key", n.customer_key)
    cols = {role: ns.column(role, getattr(n, role)) for role in ("number", "kind", "status") if getattr(n, role)}
    for role in LINE_ROLES:
        if getattr(ln, role) is not None:
            cols[role] = ns.column(role, getattr(ln, role), field=f"connector.lines.{role}")
    frame = ns.frame()
    tariff_cols, tariff_frame, tariffs = {}, None, None
    if ln.tariffs is not None:
        t = ln.tariffs
        ts = SectionResolver(r, "lines.tariffs", t)
        tariff_cols = {
            role: ts.column(role, getattr(t, role)) for role in ("code", "name", "monthly_fee") if getattr(t, role)
        }
        tariff_frame = ts.frame()
    if r.issues:
        return None, r.issues
    if tariff_frame is not None:
        tariffs = tariff_frame.select(*(c.label(role) for role, c in tariff_cols.items())).subquery("hall_tariffs")
        on = join_equals(tariffs.c.code, ts.types["code"], cols["tariff"], ns.types["tariff"])
        frame = Frame(frame.source.outerjoin(tariffs, on), frame.condition, frame.lookups)
    return LineSchema(frame, cols, key, ns.types["customer_key"], tariff_cols, tariff_frame, tariffs), []


def lines_select(s: LineSchema) -> sa.Select:
    columns = [*(c.label(f"k{i}") for i, c in enumerate(s.key)), *(c.label(role) for role, c in s.cols.items())]
    if s.tariffs is not None:
        columns += [s.tariffs.c.name.label("tariff_name")]
        if "monthly_fee" in s.tariff_cols:
            columns += [s.tariffs.c.monthly_fee.label("monthly_fee")]
    return s.frame.select(*columns)


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
        number, file = s.cols["number"], self.tenant_file
        rows = [
            *conn.execute(query.order_by(number).limit(SAMPLE)),
            *conn.execute(query.order_by(number.desc()).limit(SAMPLE)),
        ]
        convert_row = LineConverter(self.mapping, s, file)
        lines = list(map(convert_row, rows))
        bad = next((line.problem for line in lines if line.problem), None)
        if bad:
            issues.append(as_issue(file, bad))
        for role in ("long_distance", "international"):
            if role in s.cols:
                issues += _codes(
                    conn, s.cols[role], self.mapping.lines.flag_map, "connector.lines.flag_map", file, s.frame
                )
        if s.tariff_frame is not None:  # a tariff code twice would show each of its lines twice (the join)
            code_col = s.tariff_cols["code"]
            issues += duplicated_key(conn, (code_col,), "connector.lines.tariffs.code", file, frame=s.tariff_frame)
            pairs = [(x.tariff_name, x.tariff_code) for x in lines if x.tariff_name]
            issues += named_by_code(pairs, "connector.lines.tariffs.name", s.tariff_cols["name"], "tariffs", file)
        return issues + lookup_problems(conn, (s.frame, s.tariff_frame), file)

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._line_problems(conn)
