"""Sampling legacy tables for what a mapping silently gets wrong: keys that are not unique, bills with no line.

A mapping can name real columns and still be wrong for the data: a bill table
mapped onto the items table (one row per item) passes every name check, and
the sync then keeps one item per bill because the "bill key" repeats. These
checks look at the data itself, with bounded queries (``GROUP BY ... HAVING
COUNT(*) > 1`` over the first and last rows in key order, a sample of the
latest bills), so ``hall check`` stays fast on big tables. Each problem is a ConfigIssue naming the mapping
key, ``table.column`` and an example value (ID-number-like values masked).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import padding
from plugins.sqlbss.frames import Frame
from plugins.sqlbss.sql_parts import describe

ORPHAN_SAMPLE = 200
KEY_SAMPLE = 5000
_ID_NUMBER = re.compile(r"^(\d{17}[\dXx]|\d{15})$")


def shown(value: Any) -> str:
    """A legacy value for a message: stripped, quoted, and masked when it looks like a resident ID number."""
    text = value.strip() if isinstance(value, str) else str(value)
    if _ID_NUMBER.match(text):
        text = text[:6] + "*" * (len(text) - 10) + text[-4:]
    return repr(text)


def where(columns: tuple) -> str:
    return ", ".join(describe(c) for c in columns)


def _select(frame: Frame | None, *columns) -> sa.Select:
    return frame.select(*columns) if frame is not None else sa.select(*columns)


def duplicated_key(
    conn: sa.Connection, columns: tuple, key: str, file: str, separator: str = "-", frame: Frame | None = None
) -> list[ConfigIssue]:
    """A problem when some value of the (composite) key ``columns`` occurs on more than one row.

    Bounded: the first and the last ``KEY_SAMPLE`` rows in key order are grouped (all of a
    smaller table), so a key index serves the query and a table of millions of call records
    costs two short reads. Sorted by key, repeats sit side by side, and a mapping onto the
    wrong table repeats keys everywhere. Keys are compared as stored (padding differences
    are not looked at). ``frame`` is the section's (its look-ups and row filter).
    """
    for direction in (sa.asc, sa.desc):
        window = (
            _select(frame, *(c.label(f"k{i}") for i, c in enumerate(columns)))
            .where(*(c.is_not(None) for c in columns))
            .order_by(*(direction(c) for c in columns))
            .limit(KEY_SAMPLE)
            .subquery()
        )
        grouped = tuple(window.c[f"k{i}"] for i in range(len(columns)))
        row = conn.execute(
            sa.select(*grouped, sa.func.count().label("n")).group_by(*grouped).having(sa.func.count() > 1).limit(1)
        ).first()
        if row is not None:
            value = separator.join(str(v).strip() for v in row[: len(columns)])
            return [
                ConfigIssue(
                    file,
                    key,
                    f"not unique: {shown(value)} occurs on {row.n} rows of {where(columns)} "
                    "(is the table one row per record?)",
                )
            ]
    return []


def unmatched_numbers(
    conn: sa.Connection,
    numbers: sa.ColumnElement,
    order: sa.ColumnElement,
    lines: sa.ColumnElement,
    key: str,
    file: str,
    frame: Frame | None = None,
    lines_frame: Frame | None = None,
) -> list[ConfigIssue]:
    """One problem when some of the latest bills (by ``order``) name a ``numbers`` value with no row in ``lines``."""
    sampled = [
        v
        for v in conn.execute(_select(frame, numbers).order_by(order.desc()).limit(ORPHAN_SAMPLE)).scalars()
        if v is not None and str(v).strip()
    ]
    if not sampled:
        return []
    if isinstance(lines.type, sa.String):  # PostgreSQL refuses text = integer
        sampled = [str(v) for v in sampled]
    wanted = list(dict.fromkeys((v,) for v in sampled))
    found = padding.rows_for_keys(
        conn,
        lambda condition: _select(lines_frame, lines.label("k0")).where(condition),
        (lines,),
        wanted,
        lambda row: (row.k0,),
    )
    known = {padding.normal((r.k0,)) for r in found}
    missing = [v for v in sampled if padding.normal((v,)) not in known]
    if not missing:
        return []
    return [
        ConfigIssue(
            file,
            key,
            f"{len(missing)} of the latest {len(sampled)} rows of {where((numbers,))} name no line "
            f"in {where((lines,))}, e.g. {shown(missing[0])}",
        )
    ]
