"""The mapping language's values: a column, several columns joined, a value looked up in another table; row filters.

A mapped role (``name``, ``number``, ``month`` ...) is a :data:`Column`: a plain
column name, as most legacy tables need, or an expression when the value is
spread out - an area code and a local number (``{ concat = [...] }``), an item
name in a code table or a bill month in a bill-cycle table
(``{ lookup = "TABLE", key = ..., value = ..., from = ... }``). Expressions nest:
a look-up's ``value`` and ``from`` are Columns too. A section's ``where`` /
``where_not`` are :data:`Filter` s: column = value conditions (or a few
operators), never SQL text. Column names are validated identifiers and values
become bound parameters, so nothing written here can inject SQL.

This module only parses; :mod:`plugins.sqlbss.frames` compiles the parsed
values into SQL against the reflected legacy tables. To let any mapping field
take expressions, declare it ``Column`` (or ``Column | None``) instead of
``str = Field(pattern=IDENT)``; :func:`plugins.sqlbss.frames.SectionResolver.column`
compiles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainValidator

IDENT = r"^[A-Za-z_][A-Za-z0-9_$#]*$"
TABLE = r"^([A-Za-z_][A-Za-z0-9_$#]*\.)?[A-Za-z_][A-Za-z0-9_$#]*$"  # optionally schema-qualified
NOT_A_NAME = "not a plain table or column name (letters, digits, _ $ #)"
OPERATORS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "like", "is_null")
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Concat:
    """Several values joined into one text, each trimmed (``"0571" + "-" + "88001234"``)."""

    parts: tuple[ColumnValue, ...]
    separator: str = ""


@dataclass(frozen=True)
class Condition:
    """``column <op> value``: one term of a row filter."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class Lookup:
    """The ``value`` of the row of ``table`` whose ``key`` column(s) equal ``source`` (``from``) - a LEFT JOIN."""

    table: str
    key: tuple[str, ...]
    value: ColumnValue
    source: tuple[ColumnValue, ...]
    where: tuple[Condition, ...] = ()
    where_not: tuple[Condition, ...] = ()


Expression = Concat | Lookup
ColumnValue = str | Expression


def _name(value: Any, what: str = "") -> str:
    if not isinstance(value, str) or not re.match(IDENT, value.strip()):
        raise ValueError(f"{what}{value!r} is {NOT_A_NAME}")
    return value.strip()


def _keys(table: dict, allowed: tuple[str, ...], kind: str) -> dict:
    folded = {str(k).strip().casefold(): v for k, v in table.items()}  # the hall's loader lower-cases keys
    unknown = [k for k in folded if k not in allowed]
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)} in a {kind} (use {', '.join(allowed)})")
    return folded


def parse_column(value: Any, where: str = "") -> ColumnValue:
    """A Column as written in tenant.toml -> a column name or an expression; ValueError naming the part at fault."""
    if isinstance(value, (Concat, Lookup)):
        return value  # already parsed (a model validated again)
    if isinstance(value, str):
        if not re.match(IDENT, value.strip()):
            raise ValueError(f"{where}{value!r} is {NOT_A_NAME}" if where else NOT_A_NAME)
        return value.strip()
    if not isinstance(value, dict):
        raise ValueError(f"{where}expected a column name or a table such as {{ concat = [...] }} (got {value!r})")
    if any(str(k).strip().casefold() == "concat" for k in value):
        spec = _keys(value, ("concat", "separator"), "concat")
        parts = spec["concat"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise ValueError(f"{where}concat needs a list of at least two columns")
        separator = spec.get("separator", "")
        if not isinstance(separator, str) or len(separator) > 5:
            raise ValueError(f"{where}concat separator must be text of up to 5 characters")
        return Concat(tuple(parse_column(p, f"{where}concat[{i}]: ") for i, p in enumerate(parts)), separator)
    if any(str(k).strip().casefold() == "lookup" for k in value):
        return _lookup(_keys(value, ("lookup", "key", "value", "from", "where", "where_not"), "lookup"), where)
    raise ValueError(f"{where}a table here needs concat or lookup (got keys {', '.join(map(str, value))})")


def _lookup(spec: dict, where: str) -> Lookup:
    for required in ("key", "value", "from"):
        if required not in spec:
            raise ValueError(f"{where}lookup needs {required} (lookup, key, value, from; where, where_not optional)")
    table = spec["lookup"]
    if not isinstance(table, str) or not re.match(TABLE, table.strip()):
        raise ValueError(f"{where}lookup: {table!r} is {NOT_A_NAME}")
    keys = spec["key"] if isinstance(spec["key"], list) else [spec["key"]]
    sources = spec["from"] if isinstance(spec["from"], list) else [spec["from"]]
    if not keys or len(keys) != len(sources):
        raise ValueError(f"{where}lookup: key has {len(keys)} column(s) but from has {len(sources)}")
    return Lookup(
        table=table.strip(),
        key=tuple(_name(k, f"{where}lookup key: ") for k in keys),
        value=parse_column(spec["value"], f"{where}lookup value: "),
        source=tuple(parse_column(s, f"{where}lookup from: ") for s in sources),
        where=parse_filter(spec.get("where", {}), f"{where}lookup where: "),
        where_not=parse_filter(spec.get("where_not", {}), f"{where}lookup where_not: "),
    )


def parse_columns(value: Any) -> list[ColumnValue]:
    """One Column or a list of them (a composite key) -> a list."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ValueError("name at least one column")
    return [parse_column(v, f"[{i}]: " if len(values) > 1 else "") for i, v in enumerate(values)]


def _scalar(value: Any, where: str) -> Scalar:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    raise ValueError(f"{where}{value!r} is not a text or a number")


def _terms(column: str, condition: Any, where: str) -> list[Condition]:
    if isinstance(condition, list):
        if not condition:
            raise ValueError(f"{where}{column}: an empty list matches nothing")
        return [Condition(column, "in", tuple(_scalar(v, f"{where}{column}: ") for v in condition))]
    if not isinstance(condition, dict):
        return [Condition(column, "eq", _scalar(condition, f"{where}{column}: "))]
    terms = []
    for op, value in _keys(condition, OPERATORS, "condition").items():
        if op == "is_null":
            if not isinstance(value, bool):
                raise ValueError(f"{where}{column}: is_null takes true or false")
            terms.append(Condition(column, op, value))
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise ValueError(f"{where}{column}: {op} takes a non-empty list")
            terms.append(Condition(column, op, tuple(_scalar(v, f"{where}{column}: ") for v in value)))
        else:
            terms.append(Condition(column, op, _scalar(value, f"{where}{column}: ")))
    if not terms:
        raise ValueError(f"{where}{column}: no condition given")
    return terms


def parse_filter(value: Any, where: str = "") -> tuple[Condition, ...]:
    """``{ DEL_FLAG = "0", REC_TYPE = ["1", "2"], AMT = { gt = 0 } }`` -> conditions (every one must hold)."""
    if isinstance(value, tuple) and all(isinstance(c, Condition) for c in value):
        return value  # already parsed (a model re-validated)
    if not isinstance(value, dict):
        raise ValueError(f'{where}expected a table of column = condition, e.g. {{ DEL_FLAG = "0" }}')
    out: list[Condition] = []
    for column, condition in value.items():
        out += _terms(_name(str(column), where), condition, where)
    return tuple(out)


# The field types of the mapping models. A field declared `Column` accepts a column name or an expression.
Column = Annotated[ColumnValue, PlainValidator(parse_column)]
Columns = Annotated[list[ColumnValue], PlainValidator(parse_columns)]  # one or several (composite keys)
Filter = Annotated[tuple[Condition, ...], PlainValidator(parse_filter)]


def columns_in(value: ColumnValue | None) -> list[str]:
    """The plain column names an expression reads from its own table (not those of its look-up tables)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Concat):
        return [c for part in value.parts for c in columns_in(part)]
    return [c for source in value.source for c in columns_in(source)]


def is_plain(value: ColumnValue | None) -> bool:
    return isinstance(value, str)
