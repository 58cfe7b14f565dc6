"""Looking at real legacy data before trusting the mapping: change times that do not parse, codes with no mapping, keys that repeat.

Names that do not exist are caught by reflection (:func:`legacy_db.resolve`);
this module samples values, because a format string or a code map can be
syntactically fine and still wrong for the data (``text:%Y%m%d`` against
``2024-03-23 12:40``, a status letter nobody listed). Each problem is a
ConfigIssue naming the key to fix and showing the offending value.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import markers
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.check_plausible import named_by_code
from plugins.sqlbss.frames import Frame
from plugins.sqlbss.sql_parts import describe
from plugins.sqlbss.legacy_db import LegacySchema
from plugins.sqlbss.mapping import SqlBssMapping, code

SAMPLE = 20
MAX_CODES = 200


def _where(column: sa.ColumnElement) -> str:
    return describe(column)


def _select(frame: Frame | None, *columns) -> sa.Select:
    return frame.select(*columns) if frame is not None else sa.select(*columns)


def _changed_format(conn: sa.Connection, s: LegacySchema, m: SqlBssMapping, file: str) -> list[ConfigIssue]:
    issues = _format_of(conn, s.cust["changed"], s.cust_frame, m, "connector.customers.changed_format", file)
    if s.lines_changed is not None:  # written as customers.changed_format: they are compared in the database
        issues += _format_of(conn, s.lines_changed.changed, s.line_frame, m, "connector.numbers.changed", file)
    return issues


def _format_of(conn, column, frame: Frame, m: SqlBssMapping, key: str, file: str) -> list[ConfigIssue]:
    base = _select(frame, column.label("v")).where(column.is_not(None))
    samples = [
        *conn.execute(base.order_by(column).limit(SAMPLE)).scalars(),
        *conn.execute(base.order_by(column.desc()).limit(SAMPLE)).scalars(),
    ]
    for value in samples:
        try:
            markers.to_datetime(value, m.customers.changed_format, m.tz)
        except (ValueError, TypeError, OverflowError) as exc:
            return [
                ConfigIssue(
                    file,
                    key,
                    f"value {value!r} in {_where(column)} does not parse as {m.customers.changed_format!r} ({exc})",
                )
            ]
    return []


def _codes(
    conn: sa.Connection,
    column: sa.ColumnElement,
    table: dict[str, str],
    key: str,
    file: str,
    frame: Frame | None = None,
) -> list[ConfigIssue]:
    query = _select(frame, column.label("v")).where(column.is_not(None)).distinct().limit(MAX_CODES)
    values = conn.execute(query).scalars()
    missing = sorted({str(v).strip() for v in values if str(v).strip() and code(v) not in table})
    if not missing:
        return []
    return [
        ConfigIssue(
            file, key, f"code(s) {', '.join(repr(v) for v in missing[:10])} found in {_where(column)} have no entry"
        )
    ]


def sample_problems(conn: sa.Connection, s: LegacySchema, m: SqlBssMapping, file: str) -> list[ConfigIssue]:
    cf, lf = s.cust_frame, s.line_frame
    issues = _changed_format(conn, s, m, file)
    issues += duplicated_key(conn, s.cust_key, "connector.customers.key", file, m.customers.key_separator, cf)
    issues += duplicated_key(conn, (s.line["number"],), "connector.numbers.number", file, frame=lf)
    if m.customers.status:
        issues += _codes(conn, s.cust["status"], m.customers.status_map, "connector.customers.status_map", file, cf)
    if m.numbers.kind:
        issues += _codes(conn, s.line["kind"], m.numbers.kind_map, "connector.numbers.kind_map", file, lf)
    if m.numbers.status:
        issues += _codes(conn, s.line["status"], m.numbers.status_map, "connector.numbers.status_map", file, lf)
    return issues + lookup_problems(conn, (cf, lf), file) + _customer_names(conn, s, m, file)


def _customer_names(conn: sa.Connection, s: LegacySchema, m: SqlBssMapping, file: str) -> list[ConfigIssue]:
    """Customers named by their key: the name mapped onto a code or key column."""
    from plugins.sqlbss import queries

    rows = conn.execute(queries.customers(s).order_by(s.cust["changed"].desc()).limit(SAMPLE)).all()
    convert = queries.RowConverter(m)
    pairs = [(c.name, c.legacy_id) for c in (convert.customer(r, ()) for r in rows)]
    return named_by_code(pairs, "connector.customers.name", s.cust["name"], "customers", file)


def lookup_problems(conn: sa.Connection, frames, file: str) -> list[ConfigIssue]:
    """A look-up table whose key repeats would repeat the rows joined to it: named by the key of the mapped role."""
    issues = []
    for frame in frames:
        for lookup in frame.lookups if frame is not None else ():
            issues += duplicated_key(conn, lookup.columns, lookup.key, file, frame=lookup.frame)
    return issues
