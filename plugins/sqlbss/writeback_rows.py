"""Writing an event's mapped rows into the BSS's own tables: once, whatever retries and concurrent workers do.

The rows of every target of the event's kind are computed first
(:mod:`plugins.sqlbss.writeback_values`), then, in one legacy transaction,
each row whose key (``[...].key``) is not in its table yet is inserted, and the
transaction commits. A retry computes the same keys and inserts nothing. A
concurrent writer of the same event makes an insert fail on the table's
unique index; the connector rolls back, looks again, and reads "every row is
there now" as success - anything else (the table refused the row for another
reason) is the event's failure. Plain SELECT and INSERT: no ``ON CONFLICT``
dialect, so it works on every database an old BSS runs on.

Values are bound in the reflected column types (``_coerce``): a serial of
digits goes into a NUMBER column as a number, a decimal into SQLite as text
it stores exactly, and text longer than the column is refused here, where
SQLite would keep it and others would fail with a driver message.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import padding
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.writeback_targets import ColumnValue, EventTarget
from plugins.sqlbss.writeback_values import MISSING, Event, rows


@dataclass(frozen=True)
class TargetTable:
    target: EventTarget
    table: sa.TableClause
    columns: dict[str, sa.ColumnClause]  # mapped name (as in tenant.toml) -> the real, typed column
    key: tuple[sa.ColumnClause, ...]
    lookups: dict[tuple[str, str, str], tuple[sa.ColumnClause, sa.ColumnClause]]  # (table, match, take) -> columns


def _typed(resolver: _Resolver, qualified: str, key: str, wanted: dict[str, str]):
    """Resolve ``wanted`` {role: column} in a table, with the reflected types; (table, {role: column}) or (None, {})."""
    table, found = resolver.table(qualified, key, wanted)
    if table is None:
        return None, {}
    schema = table.schema
    reflected = {c["name"]: c["type"] for c in resolver.inspector.get_columns(table.name, schema=schema)}
    names = list(dict.fromkeys(n for ns in found.values() for n in ns))
    typed = sa.table(table.name, *(sa.column(n, reflected[n]) for n in names), schema=schema)
    return typed, {role: typed.c[ns[0]] for role, ns in found.items()}


def resolve_target(conn: sa.Connection, target: EventTarget, file: str) -> tuple[TargetTable | None, list[ConfigIssue]]:
    r = _Resolver(conn, file)
    at = f"connector.{target.label}"
    table, cols = _typed(r, target.table, f"{at}.table", {f"columns.{c}": c for c in target.columns})
    lookups = {}
    for col, spec in target.columns.items():
        if spec.source == "lookup":
            _, found = _typed(r, spec.table, f"{at}.columns.{col}.table", {"match": spec.match, "take": spec.take})
            lookups[(spec.table, spec.match, spec.take)] = (found.get("match"), found.get("take"))
    if table is None or r.issues:
        return None, r.issues
    columns = {c: cols[f"columns.{c}"] for c in target.columns}
    by_fold = {c.casefold(): c for c in target.columns}
    key = tuple(columns[by_fold[k.casefold()]] for k in target.key)
    return TargetTable(target, table, columns, key, lookups), []


def _digits_of(kind: sa.types.TypeEngine, dialect: str) -> int | None:
    if isinstance(kind, sa.SmallInteger):
        return 4
    if isinstance(kind, sa.BigInteger) or (isinstance(kind, sa.Integer) and dialect == "sqlite"):
        return 18
    if isinstance(kind, sa.Integer):
        return 9
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and kind.precision:
        return kind.precision - (kind.scale or 0)
    return None


def _coerce(value: Any, column: sa.ColumnClause, dialect: str) -> Any:
    """``value`` as the column's type binds it; ValueError when it cannot be that (naming the column)."""
    kind, where = column.type, f"{column.table.name}.{column.name}"
    if value is None or isinstance(value, bool):
        return value
    try:
        if isinstance(kind, sa.Integer):
            number = decimal.Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise ValueError("not a whole number")
            return int(number)
        if isinstance(kind, sa.Numeric):
            number = decimal.Decimal(str(value).strip())
            return float(number) if isinstance(kind, sa.Float) else number
    except (decimal.InvalidOperation, ValueError):
        raise ValueError(f"{value!r} does not fit the number column {where}") from None
    if isinstance(kind, sa.String):
        text = f"{value:f}" if isinstance(value, decimal.Decimal) else str(value)
        if kind.length and len(text) > kind.length:
            raise ValueError(f"{text!r} is {len(text)} characters; {where} holds {kind.length}")
        return text
    if isinstance(kind, sa.DateTime) and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if isinstance(kind, sa.Date) and isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, decimal.Decimal) and dialect == "sqlite":  # sqlite3 binds no Decimal: exact text
        return f"{value:f}"
    return value


class TargetWriter:
    """The write of one event into its kind's resolved target tables, on one legacy connection."""

    def __init__(self, conn: sa.Connection, tables: list[TargetTable], tz: dt.tzinfo, file: str):
        self.conn, self.tables, self.tz, self.file = conn, tables, tz, file
        self.dialect = conn.dialect.name
        self._lookups = {k: v for t in tables for k, v in t.lookups.items()}

    def lookup(self, spec: ColumnValue, value: Any) -> Any:
        match, take = self._lookups[(spec.table, spec.match, spec.take)]
        try:
            value = _coerce(value, match, self.dialect)
        except ValueError:
            return MISSING  # text in a numeric column: no such row
        row = padding.first_row(self.conn, sa.select(take), (match,), (value,))
        return MISSING if row is None else row[0]

    def _planned(self, event: Event) -> list[tuple[TargetTable, dict[str, Any]]]:
        out = []
        for t in self.tables:
            for row in rows(t.target, event, self.tz, self.lookup):
                try:
                    out.append((t, {t.columns[c].name: _coerce(v, t.columns[c], self.dialect) for c, v in row.items()}))
                except ValueError as exc:
                    raise ValueError(f"connector.{t.target.label}: {exc}") from None
        return out

    def _there(self, t: TargetTable, values: dict[str, Any]) -> bool:
        keys = tuple(values[c.name] for c in t.key)
        query = sa.select(sa.literal(1)).select_from(t.table)
        return padding.first_row(self.conn, query, t.key, keys) is not None

    def write(self, event: Event) -> int:
        """Insert the event's rows that are not there yet; the number inserted (0 for a repeat)."""
        planned = self._planned(event)
        try:
            missing = [(t, v) for t, v in planned if not self._there(t, v)]
            for t, values in missing:
                self.conn.execute(sa.insert(t.table).values(values))
            self.conn.commit()
            return len(missing)
        except sa.exc.IntegrityError:
            self.conn.rollback()
            if any(not self._there(t, v) for t, v in planned):  # not a duplicate: the table refused a row itself
                raise
            return 0


def unique_problems(conn: sa.Connection, t: TargetTable, file: str) -> list[ConfigIssue]:
    """``hall check``: the key must be covered by a primary key or unique index, or a concurrent retry could write twice."""
    inspector = sa.inspect(conn)
    table, schema = t.table.name, t.table.schema
    sets = [inspector.get_pk_constraint(table, schema=schema).get("constrained_columns") or []]
    sets += [u["column_names"] for u in inspector.get_unique_constraints(table, schema=schema)]
    sets += [i["column_names"] for i in inspector.get_indexes(table, schema=schema) if i.get("unique")]
    key = {c.name.casefold() for c in t.key}
    if any(cols and {str(c).casefold() for c in cols if c} <= key for cols in sets):
        return []
    names = ", ".join(c.name for c in t.key)
    return [
        ConfigIssue(
            file,
            f"connector.{t.target.label}.key",
            f"({names}) is not unique in {table} (no primary key or unique index on it or on part of it): "
            "two workers retrying one event could both insert its row",
        )
    ]


def type_problems(t: TargetTable, file: str, dialect: str) -> list[ConfigIssue]:
    """``hall check``: money in a number column (text formats in text), times as their format says, serials that fit."""
    from plugins.sqlbss.writeback_money import split
    from plugins.sqlbss.writeback_values import Element, serial

    issues = []
    for name, spec in t.target.columns.items():
        column, key = t.columns[name], t.target.column_key(name)
        kind, where = column.type, f"{t.table.name}.{column.name} ({column.type!r})"
        number, text = isinstance(kind, (sa.Integer, sa.Numeric)), isinstance(kind, sa.String)
        known = number or text or isinstance(kind, (sa.DateTime, sa.Date))
        if not known:
            continue
        if spec.source == "money":
            form = split(spec.format)[1]
            if form == "text" and not text:
                issues.append(ConfigIssue(file, f"{key}.format", f"{spec.format} writes text, but {where} is not text"))
            if form != "text" and not number:
                issues.append(
                    ConfigIssue(file, f"{key}.format", f"{spec.format} writes a number, but {where} is not numeric")
                )
            if form == "decimal" and isinstance(kind, sa.Integer) and split(spec.format)[0] in ("jiao", "yuan"):
                issues.append(
                    ConfigIssue(file, f"{key}.format", f"{where} holds whole numbers: use {split(spec.format)[0]}_int")
                )
        if spec.source == "time":
            fmt = spec.format or "native"
            if fmt.startswith("text:") and not text:
                issues.append(ConfigIssue(file, f"{key}.format", f"{fmt} writes text, but {where} is not text"))
            if fmt in ("epoch", "epoch_ms") and not number:
                issues.append(ConfigIssue(file, f"{key}.format", f"{fmt} writes a number, but {where} is not numeric"))
            if fmt == "native" and (number or text):
                issues.append(
                    ConfigIssue(
                        file, f"{key}.format", f"native writes a timestamp, but {where} is not one (text:…, epoch?)"
                    )
                )
        if spec.source == "serial":
            sample = serial(
                spec.serial,
                Element(Event("x", "", {}, dt.datetime(2000, 1, 1)), index=1),
                dt.datetime(2099, 12, 31, 23, 59, 59),
            )
            digits = _digits_of(kind, dialect)
            if text and kind.length and len(sample) > kind.length:
                issues.append(
                    ConfigIssue(
                        file,
                        key,
                        f"a serial such as {sample!r} is {len(sample)} characters; {where} holds {kind.length}",
                    )
                )
            if number and not sample.isdigit():
                issues.append(
                    ConfigIssue(file, key, f"a serial such as {sample!r} is not all digits, but {where} is a number")
                )
            elif number and digits is not None and len(sample) > digits:
                issues.append(
                    ConfigIssue(
                        file, key, f"a serial such as {sample!r} has {len(sample)} digits; {where} holds {digits}"
                    )
                )
    return issues


def check_target(conn: sa.Connection, target: EventTarget, file: str) -> list[ConfigIssue]:
    """Every ``hall check`` problem of one target: names, unique key, column types."""
    t, issues = resolve_target(conn, target, file)
    if t is None:
        return issues
    return unique_problems(conn, t, file) + type_problems(t, file, conn.dialect.name)
