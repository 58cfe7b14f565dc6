"""The SQL the connector sends to the legacy system, and the conversion of its rows into the hall's records.

Statements are SQLAlchemy Core over the reflected names (:mod:`legacy_db`), so
they are quoted correctly and portable across SQLite, PostgreSQL and the
databases old BSSs run on. The "rows after (marker, key)" condition is
:func:`plugins.sqlbss.changes.after`.

Look-ups by a value (a number, a key) go through :mod:`padding`: CHAR-padded
legacy values match the stripped values the hall knows. Every statement
selects from the section's frame (:mod:`frames`: look-up joins and the row
filter); a customer's change marker may take its lines' into account
(:mod:`changes`).
"""

from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa

from core.api.legacy import LegacyCustomer, LegacyServiceNumber
from plugins.sqlbss import changes, markers, padding
from plugins.sqlbss.accounts import numbers_account
from plugins.sqlbss.legacy_db import LegacySchema
from plugins.sqlbss.mapping import SqlBssMapping, code


def _customer_columns(s: LegacySchema) -> list:
    """The customer roles, ``changed`` being the latest of the customer's and its lines' when both are mapped."""
    own = s.cust["changed"]
    return [
        *(c.label(f"k{i}") for i, c in enumerate(s.cust_key)),
        *(c.label(role) for role, c in s.cust.items() if role != "changed"),
        changes.latest(own, s.cust_key, s.cust_key_types, s.lines_changed).label("changed"),
    ]


def changed_since(s: LegacySchema, position: tuple[Any, tuple] | None, limit: int) -> sa.Select:
    roles = [c.label(role) for role, c in s.cust.items() if role != "changed"]
    return changes.page(
        s.cust_frame, roles, s.cust_key, s.cust_key_types, s.cust["changed"], s.lines_changed, position, limit
    )


def customers(s: LegacySchema) -> sa.Select:
    return s.cust_frame.select(*_customer_columns(s))


def customer_by_key(conn: sa.Connection, s: LegacySchema, key: tuple) -> sa.Row | None:
    return padding.first_row(conn, customers(s), s.cust_key, key)


def _line_columns(s: LegacySchema) -> list:
    return [
        *(c.label(f"k{i}") for i, c in enumerate(s.line_key)),
        *(c.label(role) for role, c in s.line.items()),
    ]


def lines_where(s: LegacySchema, condition: sa.ColumnElement[bool]) -> sa.Select:
    return s.line_frame.select(*_line_columns(s)).where(condition).order_by(*s.line_key, s.line["number"])


def lines_of(s: LegacySchema, keys: list[tuple]) -> sa.Select:
    """A page's service lines (the sync): keys as read from the customer rows, padded or not, by index."""
    return lines_where(s, padding.keys_in(s.line_key, keys))


def lines_of_one(conn: sa.Connection, s: LegacySchema, key: tuple) -> list[sa.Row]:
    """One customer's service lines, however their key is padded."""
    return padding.rows_for_keys(
        conn, lambda condition: lines_where(s, condition), s.line_key, [key], lambda row: row_key(row, len(s.line_key))
    )


def line_by_number(conn: sa.Connection, s: LegacySchema, number: str) -> sa.Row | None:
    return padding.first_row(conn, s.line_frame.select(*_line_columns(s)), (s.line["number"],), (number,))


def row_key(row: sa.Row, width: int) -> tuple:
    return tuple(getattr(row, f"k{i}") for i in range(width))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _mapped(value: Any, table: dict[str, str], default: str) -> str:
    """Map a legacy code; an unmapped one is passed on as written so the sync can reject it by name."""
    if value is None or _text(value) == "":
        return default
    return table.get(code(value), _text(value))


class RowConverter:
    """Legacy rows -> :class:`LegacyCustomer` with the hall's codes, stripped text and aware times."""

    def __init__(self, mapping: SqlBssMapping):
        self.m = mapping
        self.tz = mapping.tz

    def legacy_id(self, key: tuple) -> str:
        return self.m.customers.key_separator.join(_text(k) for k in key)

    def line(self, row: sa.Row) -> LegacyServiceNumber:
        n = self.m.numbers
        return LegacyServiceNumber(
            number=_text(row.number),
            kind=_mapped(getattr(row, "kind", None), n.kind_map, n.default_kind) if n.kind else n.default_kind,
            status=_mapped(getattr(row, "status", None), n.status_map, "active") if n.status else "active",
            account=numbers_account(self.m, row),
        )

    def customer(self, row: sa.Row, lines: Iterable[sa.Row]) -> LegacyCustomer:
        c = self.m.customers
        try:
            changed_at = markers.to_datetime(row.changed, c.changed_format, self.tz)
        except ValueError:
            changed_at = None  # `check()` reports the format; the row still syncs
        return LegacyCustomer(
            legacy_id=self.legacy_id(row_key(row, len(c.key))),
            name=_text(row.name),
            id_number=_text(row.id_number),
            email=_text(getattr(row, "email", None)),
            phone=_text(getattr(row, "phone", None)),
            address=_text(getattr(row, "address", None)),
            status=_mapped(getattr(row, "status", None), c.status_map, "active") if c.status else "active",
            changed_at=changed_at,
            numbers=tuple(self.line(x) for x in lines),
        )
