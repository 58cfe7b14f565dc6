"""Bills, bill items and call records in the legacy database: name resolution and the SQL sent.

Resolved separately from customers (and only when mapped), so a missing or
misspelt call-record table never stops customer sync. Monthly call-record
tables (``table_pattern``) are listed afresh on every read - a new month's
table appears without a restart - and each one's columns are resolved once.
"""

from __future__ import annotations

import decimal

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import padding
from plugins.sqlbss.legacy_db import _Resolver, numbered
from plugins.sqlbss.queries import after

BILL_ROLES = ("number", "month", "amount", "paid", "status", "due", "changed")
ITEM_ROLES = ("code", "name", "amount", "order", "number")
CALL_ROLES = ("changed", "number", "started", "duration", "called", "call_type", "charge")


def _single(table: sa.Table, found: dict) -> dict[str, sa.ColumnElement]:
    return {role: table.c[names[0]] for role, names in found.items() if len(names) == 1}


@dataclass(frozen=True)
class BillSchema:
    cols: dict[str, sa.ColumnElement]
    key: tuple[sa.ColumnElement, ...]
    item_cols: dict[str, sa.ColumnElement] | None
    item_key: tuple[sa.ColumnElement, ...]


def resolve_bills(conn: sa.Connection, m, file: str) -> tuple[BillSchema | None, list[ConfigIssue]]:
    r = _Resolver(conn, file)
    b, i = m.bills, m.bill_items
    table, found = r.table(
        b.table,
        "connector.bills.table",
        {"key": b.key, **{role: getattr(b, role) for role in BILL_ROLES}, "account": b.account},
    )
    itable, ifound = (None, {})
    if i is not None:
        itable, ifound = r.table(
            i.table,
            "connector.bill_items.table",
            {"bill_key": i.bill_key, **{role: getattr(i, role) for role in ITEM_ROLES}},
        )
    if table is None or (i is not None and itable is None):
        return None, r.issues
    return BillSchema(
        cols={
            **_single(table, {r: x for r, x in found.items() if r != "account"}),
            **numbered(table, found, "account"),
        },
        key=tuple(table.c[x] for x in found["key"]),
        item_cols=_single(itable, ifound) if itable is not None else None,
        item_key=tuple(itable.c[x] for x in ifound["bill_key"]) if itable is not None else (),
    ), []


@dataclass(frozen=True)
class CallTable:
    month: str  # "202403" for a monthly table, "" for the single table
    cols: dict[str, sa.ColumnElement]
    key: sa.ColumnElement


def list_call_tables(conn: sa.Connection, m) -> list[tuple[str, str]]:
    """(month, real table name) of every call-record table, oldest first; ("", name) for a single table."""
    c = m.calls
    if c.table_pattern is None:
        return [("", c.table)]
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
    key = "connector.calls.table" if not month else "connector.calls.table_pattern"
    table, found = r.table(name, key, {"key": m.calls.key, **{role: getattr(m.calls, role) for role in CALL_ROLES}})
    if table is None:
        return None, r.issues
    return CallTable(month, _single(table, found), table.c[found["key"][0]]), []


def _labelled(cols: dict[str, sa.ColumnElement], key: tuple) -> list:
    return [*(c.label(f"k{i}") for i, c in enumerate(key)), *(c.label(role) for role, c in cols.items())]


def bills_changed_since(s: BillSchema, position: tuple[Any, tuple] | None, limit: int) -> sa.Select:
    marker = s.cols["changed"]
    query = sa.select(*_labelled(s.cols, s.key)).where(marker.is_not(None))
    if position is not None:
        value, key = position
        query = query.where(after((marker, *s.key), (value, *key)))
    return query.order_by(marker, *s.key).limit(limit)


def bills_where(s: BillSchema, condition: sa.ColumnElement[bool]) -> sa.Select:
    """Bills by key: ``condition`` from :mod:`padding` (padded keys are found too)."""
    return sa.select(*_labelled(s.cols, s.key)).where(condition)


def items_of(s: BillSchema, keys: list[tuple]) -> sa.Select:
    """The items of a page of bills: keys as read from the bill rows, padded or not, by index."""
    cols = {role: c for role, c in (s.item_cols or {}).items() if role != "order"}
    order = [s.item_cols["order"]] if "order" in s.item_cols else [c for r, c in cols.items() if r in ("code", "name")]
    return (
        sa.select(*_labelled(cols, s.item_key)).where(padding.keys_in(s.item_key, keys)).order_by(*s.item_key, *order)
    )


def calls_after(t: CallTable, position: tuple[Any, tuple] | None, limit: int) -> sa.Select:
    query = sa.select(t.key.label("k0"), *(c.label(role) for role, c in t.cols.items()))
    order = (t.cols["changed"], t.key) if "changed" in t.cols else (t.key,)
    if "changed" in t.cols:
        query = query.where(t.cols["changed"].is_not(None))
    if position is not None:
        marker, key = position
        query = query.where(after(order, (marker, *key)))
    return query.order_by(*order).limit(limit)


def calls_where(t: CallTable, condition: sa.ColumnElement[bool]) -> sa.Select:
    """Call records by key: ``condition`` from :mod:`padding`."""
    return sa.select(t.key.label("k0"), *(c.label(role) for role, c in t.cols.items())).where(condition)


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
