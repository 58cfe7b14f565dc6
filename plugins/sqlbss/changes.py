"""A change time over two tables: a customer changes when its row or one of its lines does; a bill, when it or an item does.

A BSS often stamps each table on its own: a new line touches the lines
table only, a re-rated item the items table only. With ``numbers.changed``
(or ``bill_items.changed``) the section's change marker is the latest of the
parent's own change time and its children's:

    CASE WHEN child_max IS NULL OR child_max < own THEN own ELSE child_max END

where ``child_max`` is the children's ``MAX(changed)`` (a correlated
subquery, an index probe per row). Both columns must be written the same way
(the parent's ``changed_format``): they are compared in the database, as the
watermark is. A page after a watermark (marker m) first gathers the keys of
the candidates - parents with ``own >= m`` and parents of children with
``changed >= m``, each by its own index - and computes the marker for those
alone, so a page never scans the whole parent table; the (marker, key) order
and the watermark are those of :mod:`markers`, unchanged. Without a child
change column nothing of this is added to the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from plugins.sqlbss.frames import Frame
from plugins.sqlbss.sql_parts import join_equals, text_type


def after(columns: tuple, values: tuple) -> sa.ColumnElement[bool]:
    """(c0, c1, ...) > (v0, v1, ...) in lexicographic order; ``c0 > v0`` alone when the rest are None (look_back.py).

    Spelt ``m > :m OR (m = :m AND k > :k)`` rather than a row-value comparison: every database
    understands it and can use an index on (marker, key).
    """
    if len(values) > 1 and all(v is None for v in values[1:]):
        return columns[0] > values[0]
    condition = columns[-1] > values[-1]
    for column, value in zip(reversed(columns[:-1]), reversed(values[:-1])):
        condition = sa.or_(column > value, sa.and_(column == value, condition))
    return condition


@dataclass(frozen=True)
class Child:
    """The children's change column and how they point at their parent (in the order of the parent's key)."""

    frame: Frame
    changed: sa.ColumnElement
    keys: tuple[sa.ColumnElement, ...]
    key_types: tuple[Any, ...]


def _matches(parent_keys: tuple, parent_types: tuple, child_keys: tuple, child_types: tuple) -> sa.ColumnElement:
    return sa.and_(
        *(join_equals(p, pt, c, ct) for p, pt, c, ct in zip(parent_keys, parent_types, child_keys, child_types))
    )


def latest(own: sa.ColumnElement, parent_keys: tuple, parent_types: tuple, child: Child | None) -> sa.ColumnElement:
    """The change marker of a parent row: its own, or the latest of its own and its children's."""
    if child is None:
        return own
    newest = (
        child.frame.select(sa.func.max(child.changed))
        .where(_matches(parent_keys, parent_types, child.keys, child.key_types))
        .scalar_subquery()
    )
    return sa.case((sa.or_(newest.is_(None), newest < own), own), else_=newest)


def _candidates(own, parent_frame: Frame, parent_keys: tuple, parent_types: tuple, child: Child, since) -> sa.Subquery:
    """Keys (trimmed text) of the parents whose own or children's change time is at least ``since``."""

    def trimmed(columns: tuple, types: tuple) -> list:
        return [
            (sa.func.trim(c, type_=sa.String) if text_type(t) else c).label(f"c{i}")
            for i, (c, t) in enumerate(zip(columns, types))
        ]

    mine = parent_frame.select(*trimmed(parent_keys, parent_types)).where(own >= since)
    theirs = child.frame.select(*trimmed(child.keys, child.key_types)).where(child.changed >= since)
    return sa.union(mine, theirs).subquery("changed_keys")


def page(
    frame: Frame,
    columns: list,
    keys: tuple,
    key_types: tuple,
    own: sa.ColumnElement,
    child: Child | None,
    position: tuple[Any, tuple] | None,
    limit: int,
) -> sa.Select:
    """Rows after ``position`` in (change marker, key) order: ``columns`` plus ``k0..`` and the marker as ``changed``."""
    labelled = [*(k.label(f"k{i}") for i, k in enumerate(keys)), *columns]
    if child is None:
        query = frame.select(*labelled, own.label("changed")).where(own.is_not(None))
        if position is not None:
            value, key = position
            query = query.where(after((own, *keys), (value, *key)))
        return query.order_by(own, *keys).limit(limit)
    marker = latest(own, keys, key_types, child)
    if position is not None:
        wanted = _candidates(own, frame, keys, key_types, child, position[0])
        frame = frame.joined(wanted, _matches(keys, key_types, tuple(wanted.c), key_types))
    rows = frame.select(*labelled, marker.label("changed")).subquery("changed_rows")
    order = (rows.c.changed, *(rows.c[f"k{i}"] for i in range(len(keys))))
    query = sa.select(*rows.c).where(rows.c.changed.is_not(None))
    if position is not None:
        value, key = position
        query = query.where(after(order, (value, *key)))
    return query.order_by(*order).limit(limit)
