"""SQL building blocks of the mapping language: names, join conditions up to CHAR padding, filter terms.

Kept apart from :mod:`plugins.sqlbss.frames` (which walks a section's
mapping) so each stays small. Nothing here reads the database.
"""

from __future__ import annotations

import decimal
from typing import Any

import sqlalchemy as sa

from plugins.sqlbss import padding


def pick(wanted: str, have: list[str]) -> str | None:
    """``wanted`` among ``have``: exactly, else case-insensitively when that is unambiguous."""
    if wanted in have:
        return wanted
    folded = [h for h in have if h.casefold() == wanted.casefold()]
    return folded[0] if len(folded) == 1 else None


def describe(column: Any) -> str:
    """Where a mapped value comes from, for messages: ``TABLE.COLUMN``, or what the expression reads."""
    shown = getattr(column, "hall_where", None)
    if shown:
        return shown
    table = getattr(column, "table", None)
    return f"{table.name}.{column.name}" if table is not None and hasattr(column, "name") else str(column)


def shown_as(element: Any, text: str) -> Any:
    element.hall_where = text
    return element


def plain_type(reflected: Any) -> Any:
    """Text keeps its declared length; anything else is untyped (no result processing)."""
    return sa.String(getattr(reflected, "length", None)) if isinstance(reflected, sa.String) else None


def text_type(t: Any) -> bool:
    return isinstance(t, sa.String)


def python_type(t: Any) -> type:
    try:
        return t.python_type
    except (NotImplementedError, AttributeError):
        return str


def _padded(value: sa.ColumnElement, length: int) -> sa.ColumnElement:
    """``value`` trimmed and blank-padded to ``length`` (as a CHAR(n) column stores it), in portable SQL."""
    trimmed = sa.func.trim(value, type_=sa.String)
    return sa.func.substr(trimmed + sa.literal(" " * length, sa.String), 1, length, type_=sa.String)


def join_equals(key: sa.ColumnElement, key_type: Any, value: sa.ColumnElement, value_type: Any) -> sa.ColumnElement:
    """A join condition ``key = value`` that holds up to CHAR padding (padding.py), ``key`` staying index-usable."""
    if text_type(key_type) and (text_type(value_type) or value_type is None):
        options = [value, sa.func.trim(value, type_=sa.String)]
        length = getattr(key_type, "length", None)
        if length:
            options.append(_padded(value, length))
        return sa.or_(*(key == option for option in options))
    if text_type(key_type) != text_type(value_type) and value_type is not None and key_type is not None:
        text = key if text_type(key_type) else value  # a numeric code joined to a text one: compare as text
        number = value if text is key else key
        return sa.func.trim(text, type_=sa.String) == sa.cast(number, sa.String)
    return key == value


def typed_value(value: Any, reflected: Any) -> Any:
    """A filter value in the column's type (TOML ``0`` against a text column is ``"0"``)."""
    kind = python_type(reflected)
    if kind is int and not isinstance(value, bool):
        if isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if kind in (decimal.Decimal, float):
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    if kind is str and not isinstance(value, str):
        return str(value)
    return value


def condition_sql(column: Any, op: str, values: list, text: bool) -> sa.ColumnElement[bool]:
    def equal(options: list) -> sa.ColumnElement[bool]:
        spelt = list(dict.fromkeys(s for v in options for s in (padding.spellings(column, v) if text else [v])))
        return column == spelt[0] if len(spelt) == 1 else column.in_(spelt)

    value = values[0]
    if op in ("eq", "in"):
        return equal(values)
    if op in ("ne", "not_in"):
        return sa.not_(equal(values))
    if op == "is_null":
        return column.is_(None) if value else column.is_not(None)
    if op == "like":
        return column.like(value)
    return {"lt": column < value, "le": column <= value, "gt": column > value, "ge": column >= value}[op]
