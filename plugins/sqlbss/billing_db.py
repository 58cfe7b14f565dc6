"""Bills, bill items and call records in the legacy database: name resolution and the SQL sent.

Resolved separately from customers (and only when mapped), so a missing or
misspelt call-record table never stops customer sync. Each section is a
:class:`~plugins.sqlbss.frames.Frame` (table or query, look-ups, row filter). Monthly call-record
tables (``table_pattern``) are listed afresh on every read - a new month's
table appears without a restart - and each one's columns are resolved once.
"""

from __future__ import annotations

import decimal

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import changes, padding
from plugins.sqlbss.changes import Child
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.changes import after

BILL_ROLES = ("number", "month", "amount", "paid", "status", "due", "changed")
ITEM_ROLES = ("code", "name", "amount", "order", "number")
CALL_ROLES = ("changed", "number", "started", "duration", "called", "call_type", "charge")


def _roles(section: SectionResolver, spec, roles: tuple[str, ...]) -> dict[str, sa.ColumnElement]:
    return {role: section.column(role, getattr(spec, role)) for role in roles if getattr(spec, role) is not None}


@dataclass(frozen=True)
class BillSchema:
    cols: dict[str, sa.ColumnElement]
    key: tuple[sa.ColumnElement, ...]
    item_cols: dict[str, sa.ColumnElement] | None
    item_key: tuple[sa.ColumnElement, ...]
    frame: Frame | None = None
    item_frame: Frame | None = None
    key_types: tuple = ()
    items_changed: Child | None = None  # bill_items.changed (changes.py)


def resolve_bills(conn: sa.Connection, m, file: str) -> tuple[BillSchema | None, list[ConfigIssue]]:
    r = _Resolver(conn, file)
    b, i = m.bills, m.bill_items
    bs = SectionResolver(r, "bills", b)
    key = bs.columns("key", b.key)
    cols = _roles(bs, b, BILL_ROLES)
    account = bs.columns("account", b.account) if b.account is not None else None
    frame = bs.frame()
    item_cols, item_key, item_frame, changed = None, (), None, None
    if i is not None:
        its = SectionResolver(r, "bill_items", i)
        item_key = its.columns("bill_key", i.bill_key)
        item_cols = _roles(its, i, ITEM_ROLES)
        changed = its.column("changed", i.changed) if i.changed is not None else None
        item_frame = its.frame()
    if r.issues:
        return None, r.issues
    return BillSchema(
        cols={**cols, **{f"account{i}": c for i, c in enumerate(account or ())}},
        key=key,
        item_cols=item_cols,
        item_key=item_key,
        frame=frame,
        item_frame=item_frame,
        key_types=bs.types["key"],
        items_changed=Child(item_frame, changed, item_key, its.types["bill_key"]) if changed is not None else None,
    ), []


@dataclass(frozen=True)
class CallTable:
    month: str  # "202403" for a monthly table, "" for the single table
    cols: dict[str, sa.ColumnElement]
    key: sa.ColumnElement
    frame: Frame | None = None

    def select(self, *columns) -> sa.Select:
        return self.frame.select(*columns) if self.frame is not None else sa.select(*columns)


def list_call_tables(conn: sa.Connection, m) -> list[tuple[str, str]]:
    """(month, real table name) of every call-record table, oldest first; ("", name) for a single table or query."""
    c = m.calls
    if c.table_pattern is None:
        return [("", c.table or "")]
    schema, _, _ = c.table_pattern.rpartition(".")
    inspector = sa.inspect(conn)
    found = []
    for name in inspector.get_table_names(schema=schema or None):
        full = f"{schema}.{name}" if schema else name
        month = c.table_month(full)
        if month is not None:
            found.append((month, full))
    return sorted(found)


def resolve_call_table(
    conn: sa.Connection, m, file: str, month: str, name: str
) -> tuple[CallTable | None, list[ConfigIssue]]:
    r = _Resolver(conn, file)
    table_key = "connector.calls.table" if not month else "connector.calls.table_pattern"
    section = SectionResolver(r, "calls", m.calls, table=name or None, table_key=table_key)
    key = section.column("key", m.calls.key, key=True)
    cols = _roles(section, m.calls, CALL_ROLES)
    frame = section.frame()
    if r.issues:
        return None, r.issues
    return CallTable(month, cols, key, frame), []


def _labelled(cols: dict[str, sa.ColumnElement], key: tuple) -> list:
    return [*(c.label(f"k{i}") for i, c in enumerate(key)), *(c.label(role) for role, c in cols.items())]


def bills_changed_since(s: BillSchema, position: tuple[Any, tuple] | None, limit: int) -> sa.Select:
    roles = [c.label(role) for role, c in s.cols.items() if role != "changed"]
    return changes.page(s.frame, roles, s.key, s.key_types, s.cols["changed"], s.items_changed, position, limit)


def bill_columns(s: BillSchema) -> list:
    """A bill's roles, ``changed`` being the latest of the bill's and its items' when both are mapped."""
    roles = [c.label(role) for role, c in s.cols.items() if role != "changed"]
    marker = changes.latest(s.cols["changed"], s.key, s.key_types, s.items_changed)
    return [*(c.label(f"k{i}") for i, c in enumerate(s.key)), *roles, marker.label("changed")]


def bills_where(s: BillSchema, condition: sa.ColumnElement[bool]) -> sa.Select:
    """Bills by key: ``condition`` from :mod:`padding` (padded keys are found too)."""
    return s.frame.select(*bill_columns(s)).where(condition)


def items_of(s: BillSchema, keys: list[tuple]) -> sa.Select:
    """The items of a page of bills: keys as read from the bill rows, padded or not, by index."""
    cols = {role: c for role, c in (s.item_cols or {}).items() if role != "order"}
    order = [s.item_cols["order"]] if "order" in s.item_cols else [c for r, c in cols.items() if r in ("code", "name")]
    return (
        s.item_frame.select(*_labelled(cols, s.item_key))
        .where(padding.keys_in(s.item_key, keys))
        .order_by(*s.item_key, *order)
    )


def calls_after(t: CallTable, position: tuple[Any, tuple] | None, limit: int) -> sa.Select:
    query = t.select(t.key.label("k0"), *(c.label(role) for role, c in t.cols.items()))
    order = (t.cols["changed"], t.key) if "changed" in t.cols else (t.key,)
    if "changed" in t.cols:
        query = query.where(t.cols["changed"].is_not(None))
    if position is not None:
        marker, key = position
        query = query.where(after(order, (marker, *key)))
    return query.order_by(*order).limit(limit)


def calls_where(t: CallTable, condition: sa.ColumnElement[bool]) -> sa.Select:
    """Call records by key: ``condition`` from :mod:`padding`."""
    return t.select(t.key.label("k0"), *(c.label(role) for role, c in t.cols.items())).where(condition)


_NO_MATCH = object()


def key_value(column: sa.ColumnElement, text: str) -> Any:
    """A key part read back from a legacy id, in the key column's own type (``_NO_MATCH`` when it cannot be one).

    A text key column holding "000123" and "123" must be compared as text, a numeric one as a
    number: PostgreSQL refuses to compare text with an integer, so guessing from the digits fails.
    """
    try:
        python_type = column.type.python_type
    except NotImplementedError:  # a driver-specific type: compare as text
        python_type = str
    if python_type is int:
        return int(text) if text.lstrip("-").isdigit() else _NO_MATCH
    if python_type is decimal.Decimal or python_type is float:
        try:
            return decimal.Decimal(text)
        except decimal.InvalidOperation:
            return _NO_MATCH
    return text


def typed_keys(columns: tuple, keys: list[tuple[str, ...]]) -> list[tuple]:
    """Legacy-id key parts in the key columns' types; keys that cannot match (text in a numeric key) are left out."""
    out = []
    for parts in keys:
        values = tuple(key_value(c, p) for c, p in zip(columns, parts))
        if _NO_MATCH not in values:
            out.append(values)
    return out
