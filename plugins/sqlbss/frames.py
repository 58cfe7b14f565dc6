"""A mapping section compiled into SQL: its source (a table or a query), its look-up joins, composed values and row filter.

:class:`SectionResolver` reflects the tables a section names and compiles
each mapped role (:mod:`plugins.sqlbss.expressions`) into an SQLAlchemy
expression over them; the result is a :class:`Frame` - the FROM clause with
one LEFT JOIN per look-up, and the WHERE condition of ``where`` /
``where_not`` - plus one column expression per role. The queries of the
connector then select those expressions from the frame, so a plain column, a
value looked up in a code table and an area code joined to a local number
are read alike, in one statement per page (never a query per row).

Types: key roles keep the reflected type (so a key read back from a legacy id
is compared as text or as a number as the column is - PostgreSQL refuses text
= integer); text keeps its declared length (padding.py pads to it); other
columns stay untyped, so their values reach the converters as the driver
returns them. Names that do not resolve become ConfigIssues naming the
mapping key, as a typo in tenant.toml would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import query_source
from plugins.sqlbss.expressions import Concat, Condition, Lookup
from plugins.sqlbss.sql_parts import (
    condition_sql,
    describe,
    join_equals,
    pick,
    plain_type,
    shown_as,
    text_type,
    typed_value,
)


@dataclass(frozen=True)
class LookupJoin:
    """A look-up table joined into a frame: its key must be unique, or rows would repeat (``hall check``)."""

    key: str  # the mapping key, e.g. connector.bill_items.name
    columns: tuple[sa.ColumnElement, ...]  # its key columns
    frame: Frame  # the look-up table alone, with its own filter


@dataclass(frozen=True)
class Frame:
    """Where a section's rows come from: FROM (with the look-up joins) and the row filter."""

    source: sa.FromClause
    condition: sa.ColumnElement[bool] | None = None
    lookups: tuple[LookupJoin, ...] = ()

    def select(self, *columns: Any) -> sa.Select:
        query = sa.select(*columns).select_from(self.source)
        return query if self.condition is None else query.where(self.condition)

    def joined(self, other: sa.FromClause, on: sa.ColumnElement[bool]) -> Frame:
        """This frame inner-joined with ``other`` (e.g. the keys of rows changed since a watermark)."""
        return Frame(self.source.join(other, on), self.condition, self.lookups)


@dataclass
class _Source:
    clause: sa.FromClause  # a table or a derived table (query), possibly aliased
    types: dict[str, Any]  # real column name -> reflected (or guessed) type
    shown: str  # its name in messages
    names: list[str]

    def where(self) -> str:
        return f"table {self.shown}" if not self.shown.startswith("connector.") else f"the result of {self.shown}"


class SectionResolver:
    """One mapping section against the live schema: base source, look-ups, roles and filter; issues collected on ``r``."""

    def __init__(self, r: Any, section: str, spec: Any, *, table: str | None = None, table_key: str | None = None):
        self.r, self.section, self.spec = r, section, spec
        self.joins: list[tuple[sa.FromClause, sa.ColumnElement]] = []
        self.lookups: list[LookupJoin] = []
        self.types: dict[str, Any] = {}
        query = None if table else getattr(spec, "query", None)
        if query:
            self.base = self._query(query)
        else:
            self.base = self._reflect(table or spec.table, table_key or self.key("table"))

    def key(self, field: str) -> str:
        """The mapping key of ``field`` (``connector.lines.tariff`` when given whole: a role of another section)."""
        return field if field.startswith("connector.") else f"connector.{self.section}.{field}"

    def issue(self, key: str, reason: str) -> None:
        self.r.issues.append(ConfigIssue(self.r.file, key, reason))

    # -- sources --------------------------------------------------------------------
    def _reflect(self, qualified: str, key: str) -> _Source | None:
        cache = self.r.__dict__.setdefault("reflected", {})  # one reflection per table and resolver
        if qualified not in cache:
            schema, _, name = qualified.rpartition(".")
            inspector = self.r.inspector
            have = inspector.get_table_names(schema=schema or None) + inspector.get_view_names(schema=schema or None)
            actual = pick(name, have)
            if actual is None:
                listing = ", ".join(sorted(have)) or "none"
                self.issue(key, f"table {qualified!r} not found in the legacy database (tables: {listing})")
                cache[qualified] = None
                return None
            reflected = inspector.get_columns(actual, schema=schema or None)
            types = {c["name"]: c["type"] for c in reflected}
            clause = sa.table(actual, *(sa.column(n, plain_type(t)) for n, t in types.items()), schema=schema or None)
            cache[qualified] = _Source(clause, types, actual, list(types))
        return cache[qualified]

    def _query(self, query: str) -> _Source | None:
        try:
            with self.r.conn.begin_nested():  # a failing query must not abort the rest of `hall check`
                names, types = query_source.probe(self.r.conn, query)
        except sa.exc.DBAPIError as exc:
            self.issue(self.key("query"), f"the query fails: {str(exc.orig).strip().splitlines()[0]}")
            return None
        derived = query_source.derived(
            query, f"{self.section.replace('.', '_')}_query", [sa.column(n, plain_type(types[n])) for n in names]
        )
        return _Source(derived, types, self.key("query"), names)

    # -- roles ------------------------------------------------------------------------
    def column(self, role: str, value: Any, *, key: bool = False, field: str | None = None) -> sa.ColumnElement | None:
        """The SQL of one mapped role (None when unmapped or when it does not resolve: see the issues)."""
        if value is None or self.base is None:
            return None
        compiled = self._compile(value, self.base, self.key(field or role), key)
        if compiled is None:
            return None
        self.types[role] = compiled[1]
        return compiled[0]

    def columns(self, role: str, values: list, *, field: str | None = None) -> tuple[sa.ColumnElement, ...] | None:
        """The SQL of a (composite) key role, each part typed."""
        if self.base is None:
            return None
        compiled = [self._compile(v, self.base, self.key(field or role), True) for v in values]
        if any(c is None for c in compiled):
            return None
        self.types[role] = tuple(t for _, t in compiled)
        return tuple(e for e, _ in compiled)

    def _compile(self, value: Any, at: _Source, key: str, typed: bool) -> tuple[Any, Any] | None:
        if isinstance(value, str):
            return self._plain(value, at, key, typed)
        if isinstance(value, Concat):
            return self._concat(value, at, key)
        if isinstance(value, Lookup):
            return self._lookup(value, at, key, typed)
        raise TypeError(f"not a mapped column: {value!r}")

    def _plain(self, name: str, at: _Source, key: str, typed: bool) -> tuple[Any, Any] | None:
        real = pick(name, at.names)
        if real is None:
            self.issue(key, f"column {name!r} not found in {at.where()} (columns: {', '.join(at.names)})")
            return None
        column, reflected = at.clause.c[real], at.types[real]
        if typed and reflected is not None and not text_type(reflected):
            column = sa.type_coerce(column, reflected)
        return shown_as(column, f"{at.shown}.{real}"), reflected

    def _concat(self, value: Concat, at: _Source, key: str) -> tuple[Any, Any] | None:
        parts = [self._compile(p, at, key, False) for p in value.parts]
        if any(p is None for p in parts):
            return None
        texts = [
            sa.func.coalesce(
                sa.func.trim(e if text_type(t) else sa.cast(e, sa.String), type_=sa.String), "", type_=sa.String
            )
            for e, t in parts
        ]
        joined = texts[0]
        for text in texts[1:]:
            joined = (joined + value.separator if value.separator else joined) + text
        shown = (
            f", {value.separator!r}, ".join(describe(e) for e, _ in parts)
            if value.separator
            else ", ".join(describe(e) for e, _ in parts)
        )
        joined = shown_as(joined, f"concat({shown})")
        joined.hall_parts = tuple(e for e, _ in parts), value.separator  # padding.equals: an index-usable guard
        return joined, sa.String()

    def _lookup(self, value: Lookup, at: _Source, key: str, typed: bool) -> tuple[Any, Any] | None:
        sources = [self._compile(s, at, key, False) for s in value.source]
        target = self._reflect(value.table, key)
        if target is None or any(s is None for s in sources):
            return None
        alias = _Source(target.clause.alias(f"lookup{len(self.joins) + 1}"), target.types, target.shown, target.names)
        keys = [self._plain(k, alias, key, False) for k in value.key]
        if any(k is None for k in keys):
            return None
        on = sa.and_(*(join_equals(k, kt, s, st) for (k, kt), (s, st) in zip(keys, sources)))
        condition = self._filter(alias, value.where, value.where_not, key)
        self.joins.append((alias.clause, on if condition is None else sa.and_(on, condition)))
        self.lookups.append(LookupJoin(key, tuple(k for k, _ in keys), Frame(alias.clause, condition)))
        found = self._compile(value.value, alias, key, typed)
        if found is None:
            return None
        via = ", ".join(describe(s) for s, _ in sources)
        return shown_as(found[0], f"{describe(found[0])} (looked up by {via})"), found[1]

    # -- row filters --------------------------------------------------------------------
    def _filter(self, at: _Source, where: tuple, where_not: tuple, key: str, key_not: str | None = None):
        terms = [self._condition(at, c, key) for c in where]
        negated = [self._condition(at, c, key_not or key, keep_nulls=True) for c in where_not]
        terms = [t for t in terms + negated if t is not None]
        return sa.and_(*terms) if terms else None

    def _condition(self, at: _Source, c: Condition, key: str, keep_nulls: bool = False):
        real = pick(c.column, at.names)
        if real is None:
            self.issue(key, f"column {c.column!r} not found in {at.where()} (columns: {', '.join(at.names)})")
            return None
        column, reflected = at.clause.c[real], at.types[real]
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        try:
            typed = [typed_value(v, reflected) for v in values]
        except ValueError as exc:
            self.issue(key, f"{c.column}: {exc} ({at.shown}.{real} is {reflected})")
            return None
        condition = condition_sql(column, c.op, typed, text_type(reflected))
        return sa.or_(column.is_(None), sa.not_(condition)) if keep_nulls else condition

    def frame(self) -> Frame | None:
        """The section's frame (None when its source did not resolve); the filter's issues name where / where_not."""
        if self.base is None:
            return None
        condition = self._filter(
            self.base,
            getattr(self.spec, "where", ()),
            getattr(self.spec, "where_not", ()),
            self.key("where"),
            self.key("where_not"),
        )
        source = self.base.clause
        for alias, on in self.joins:
            source = source.outerjoin(alias, on)
        return Frame(source, condition, tuple(self.lookups))
