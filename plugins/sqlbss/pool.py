"""The ``number_pool`` port of the sqlbss connector (a mixin): free numbers for number selection (选号), read live.

Filters become SQL on the legacy side (the pool can hold hundreds of thousands
of numbers): codes for kind, status and grade are turned back into the legacy
codes the map lists, compared as numbers or as case-insensitive text as the
column is. Digit patterns are ``LIKE`` with digits only (NumberQuery refuses
anything else, so there is nothing to escape). Pages are keyed by number.

Reservation is not here: it is a write-back event (``number.reserved``) the
outbox delivers through the connector's writeback port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import NumberPage, NumberQuery, PoolNumber
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss import padding
from plugins.sqlbss.check import _codes, lookup_problems
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.lines import NO_MATCH, SAMPLE, as_issue, code_in, typed
from plugins.sqlbss.mapping import code

ROLES = ("number", "kind", "area", "grade", "price", "min_spend", "status")


@dataclass(frozen=True)
class PoolSchema:
    frame: Frame
    cols: dict[str, sa.ColumnElement]
    types: dict[str, Any]  # role -> reflected column type


def resolve_pool(conn: sa.Connection, mapping, file: str) -> tuple[PoolSchema | None, list[ConfigIssue]]:
    r = _Resolver(conn, file)
    p = mapping.number_pool
    section = SectionResolver(r, "number_pool", p)
    cols = {role: section.column(role, getattr(p, role)) for role in ROLES if getattr(p, role) is not None}
    frame = section.frame()
    if r.issues:
        return None, r.issues
    return PoolSchema(frame, cols, dict(section.types)), []


def _select(s: PoolSchema) -> sa.Select:
    return s.frame.select(*(c.label(role) for role, c in s.cols.items()))


class PoolConverter:
    def __init__(self, mapping, s: PoolSchema, file: str):
        self.p = mapping.number_pool
        self.reader = convert.Reader(file, "number_pool", s.cols, mapping.tz)

    def money(self, row, role: str, fmt: str, key: str) -> int:
        return 0 if convert.text(getattr(row, role, None)) == "" else self.reader.money(row, role, fmt, key)

    def __call__(self, row) -> PoolNumber:
        p, text = self.p, convert.text
        kind = p.kind_map.get(code(row.kind), text(row.kind)) if p.kind and text(row.kind) else p.default_kind
        grade = p.grade_map.get(code(row.grade), 0) if p.grade and text(row.grade) else 0
        status = p.status_map.get(code(row.status), text(row.status))
        area = text(getattr(row, "area", None))
        try:
            price = self.money(row, "price", p.price_format, "price_format")
            spend = self.money(row, "min_spend", p.min_spend_format or p.price_format, "min_spend_format")
        except convert.Problem as exc:
            return PoolNumber(text(row.number), kind, area, grade, status=status, problem=str(exc))
        return PoolNumber(text(row.number), kind, area, grade, price, spend, status)


def free_query(s: PoolSchema, p, q: NumberQuery) -> sa.Select | None:
    """The SQL for one page of ``q`` (one row more than the page, to know whether another follows); None = nothing can match."""
    number, cols, types = s.cols["number"], s.cols, s.types
    where = [code_in(cols["status"], types["status"], [c for c, v in p.status_map.items() if v == "free"])]
    if q.kind:
        if p.kind:
            where.append(code_in(cols["kind"], types["kind"], [c for c, v in p.kind_map.items() if v == q.kind]))
        elif q.kind != p.default_kind:
            return None
    if q.area:
        if "area" not in cols or typed(types["area"], q.area) is NO_MATCH:
            return None
        where.append(cols["area"] == typed(types["area"], q.area))
    if q.premium_only:
        if not p.grade:
            return None
        where.append(code_in(cols["grade"], types["grade"], [c for c, g in p.grade_map.items() if g > 0]))
    if q.prefix:
        where.append(number.like(f"{q.prefix}%"))
    if q.contains:
        where.append(number.like(f"%{q.contains}%"))
    if q.ends_with:
        where.append(sa.func.trim(number).like(f"%{q.ends_with}"))
    where += [sa.not_(number.like(f"%{digit}%")) for digit in sorted(set(q.without))]
    if q.after:
        where.append(number > q.after)
    return _select(s).where(*where).order_by(number).limit(q.limit + 1)


class PoolPort:
    _pool_schema: PoolSchema | None = None

    def _pool_resolved(self, conn: sa.Connection) -> PoolSchema:
        with self._lock:
            if self._pool_schema is None:
                schema, issues = resolve_pool(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._pool_schema = schema
            return self._pool_schema

    async def free_numbers(self, query: NumberQuery) -> NumberPage:
        def work(conn: sa.Connection) -> NumberPage:
            s = self._pool_resolved(conn)
            sql = free_query(s, self.mapping.number_pool, query)
            if sql is None:
                return NumberPage([], "")
            convert_row = PoolConverter(self.mapping, s, self.tenant_file)
            numbers = [convert_row(r) for r in conn.execute(sql)]
            more = len(numbers) > query.limit
            numbers = numbers[: query.limit]
            return NumberPage(numbers, numbers[-1].number if more else "")

        return await self._run(work)

    async def number_status(self, number: str) -> PoolNumber | None:
        number = number.strip()
        if not number:
            return None

        def work(conn: sa.Connection) -> PoolNumber | None:
            s = self._pool_resolved(conn)
            row = padding.first_row(conn, _select(s), (s.cols["number"],), (number,))  # CHAR-padded numbers too
            return None if row is None else PoolConverter(self.mapping, s, self.tenant_file)(row)

        return await self._run(work)

    def _pool_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        s, issues = resolve_pool(conn, self.mapping, self.tenant_file)
        if s is None:
            return issues
        p, file, number = self.mapping.number_pool, self.tenant_file, s.cols["number"]
        rows = [
            *conn.execute(_select(s).order_by(number).limit(SAMPLE)),
            *conn.execute(_select(s).order_by(number.desc()).limit(SAMPLE)),
        ]
        convert_row = PoolConverter(self.mapping, s, file)
        bad = next((n.problem for n in map(convert_row, rows) if n.problem), None)
        if bad:
            issues.append(as_issue(file, bad))
        frame = s.frame
        issues += _codes(conn, s.cols["status"], p.status_map, "connector.number_pool.status_map", file, frame)
        if p.kind:
            issues += _codes(conn, s.cols["kind"], p.kind_map, "connector.number_pool.kind_map", file, frame)
        if p.grade:
            issues += _codes(conn, s.cols["grade"], p.grade_map, "connector.number_pool.grade_map", file, frame)
        issues += lookup_problems(conn, (frame,), file)
        return issues + duplicated_key(conn, (number,), "connector.number_pool.number", file, frame=frame)

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._pool_problems(conn)
