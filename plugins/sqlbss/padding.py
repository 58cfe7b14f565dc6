"""Looking up legacy text that may carry CHAR padding: ``'13800000000    '`` is the number ``13800000000``.

The sync strips every value it reads, so the hall knows numbers and keys
unpadded; a live look-up must find the padded row all the same. Databases
disagree on trailing blanks: PostgreSQL ignores them for CHAR(n) only,
MariaDB/MySQL for CHAR and VARCHAR (PAD SPACE collations), Oracle only when
both sides are CHAR (a bind value is not), and SQLite never.

Two steps, so that an index on the column stays usable:

1. :func:`equals` / :func:`keys_in` compare the column with a few spellings
   of the value - as given, stripped, and stripped then blank-padded to the
   column's declared length (CHAR(n) as Oracle and DB2 store it, and as a
   dump of one into SQLite keeps it). That is ``col IN (:a, :b)``: an index
   look-up on every database.
2. A single look-up that finds nothing asks again with ``TRIM(col) = :value``
   (:func:`trimmed_equals`, :func:`trimmed_keys_in`): any other padding, e.g. a
   VARCHAR holding blanks, is found, at the price of a scan - paid only by a
   miss (a mistyped number at sign-up, a row deleted upstream).

Batched child reads of the sync (a page's service lines, a page's bill items)
use step 1 only: their keys come from the parent rows as read, so a scan per
page is never needed for keys that agree up to padding to the declared length.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Callable

import sqlalchemy as sa


def _length(column: sa.ColumnElement) -> int | None:
    kind = getattr(column, "type", None)
    return getattr(kind, "length", None) if isinstance(kind, sa.String) else None


def spellings(column: sa.ColumnElement, value: Any) -> list[Any]:
    """``value`` as given, stripped, and padded to the column's declared length (text only; other values as given)."""
    if not isinstance(value, str):
        return [value]
    stripped = value.strip()
    out = [value, stripped]
    length = _length(column)
    if length and len(stripped) < length:
        out.append(stripped.ljust(length))
    return list(dict.fromkeys(out))


def equals(column: sa.ColumnElement, value: Any) -> sa.ColumnElement[bool]:
    """Index-friendly: ``column`` holds ``value``, padded to the declared length or not."""
    options = spellings(column, value)
    condition = column == options[0] if len(options) == 1 else column.in_(options)
    guard = _concat_guard(column, value)
    return condition if guard is None else sa.and_(guard, condition)


def _concat_guard(column: sa.ColumnElement, value: Any) -> sa.ColumnElement[bool] | None:
    """For a value composed of columns (frames.py, ``concat``): its last column holds the end of ``value``.

    ``AREA || LOCAL = '057188001234'`` cannot use an index; ``LOCAL IN ('88001234', '7188001234', ...)``
    - every suffix, or the part after the last separator - can, and narrows the scan to a few rows.
    When the guard is wrong (a separator inside a part) the look-up misses and :func:`first_row`
    asks again without it.
    """
    parts = getattr(column, "hall_parts", None)
    if parts is None or not isinstance(value, str):
        return None
    (columns, separator), text = parts, value.strip()
    last = columns[-1]
    if not isinstance(getattr(last, "type", None), sa.String) or getattr(last, "table", None) is None:
        return None  # a looked-up or numeric last part: no index to use
    if separator:
        if separator not in text:
            return None
        ends = [text.rsplit(separator, 1)[1]]
    else:
        ends = [text[i:] for i in range(len(text))]
    return last.in_(list(dict.fromkeys(s for end in ends for s in spellings(last, end))))


def keys_in(columns: tuple, keys: list[tuple]) -> sa.ColumnElement[bool]:
    """Index-friendly: the (composite) key is one of ``keys``, each part in any of its :func:`spellings`."""
    if len(columns) == 1:
        return columns[0].in_(list(dict.fromkeys(s for key in keys for s in spellings(columns[0], key[0]))))
    combos = (product(*(spellings(c, v) for c, v in zip(columns, key))) for key in keys)
    return sa.tuple_(*columns).in_(list(dict.fromkeys(combo for each in combos for combo in each)))


def trimmed_equals(column: sa.ColumnElement, value: Any) -> sa.ColumnElement[bool]:
    """``TRIM(column) = value`` for text (any padding; no index), plain equality otherwise."""
    return sa.func.trim(column) == value.strip() if isinstance(value, str) else column == value


def trimmed_keys_in(columns: tuple, keys: list[tuple]) -> sa.ColumnElement[bool]:
    return sa.or_(*(sa.and_(*(trimmed_equals(c, v) for c, v in zip(columns, key))) for key in keys))


def has_text(values) -> bool:
    return any(isinstance(v, str) for v in values)


def normal(key: tuple) -> tuple:
    """A key as the hall knows it: text parts stripped."""
    return tuple(v.strip() if isinstance(v, str) else v for v in key)


def first_row(conn: sa.Connection, query: sa.Select, columns: tuple, values: tuple) -> sa.Row | None:
    """The first row of ``query`` whose ``columns`` hold ``values``: by index first, then trimmed."""
    row = conn.execute(query.where(*(equals(c, v) for c, v in zip(columns, values)))).first()
    if row is None and has_text(values):
        row = conn.execute(query.where(*(trimmed_equals(c, v) for c, v in zip(columns, values)))).first()
    return row


def rows_for_keys(
    conn: sa.Connection,
    query: Callable[[sa.ColumnElement[bool]], sa.Select],
    columns: tuple,
    keys: list[tuple],
    key_of: Callable[[sa.Row], tuple],
) -> list[sa.Row]:
    """Rows of ``query(condition)`` for ``keys``: by index first, then trimmed for the keys not found."""
    if not keys:
        return []
    rows = list(conn.execute(query(keys_in(columns, keys))))
    found = {normal(key_of(r)) for r in rows}
    missing = [k for k in keys if normal(k) not in found and has_text(k)]
    if missing:
        rows += conn.execute(query(trimmed_keys_in(columns, missing)))
    return rows
