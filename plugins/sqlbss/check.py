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
from plugins.sqlbss.legacy_db import LegacySchema
from plugins.sqlbss.mapping import SqlBssMapping, code

SAMPLE = 20
MAX_CODES = 200


def _where(column: sa.ColumnElement) -> str:
    return f"{column.table.name}.{column.name}"


def _changed_format(conn: sa.Connection, s: LegacySchema, m: SqlBssMapping, file: str) -> list[ConfigIssue]:
    column = s.cust["changed"]
    base = sa.select(column).where(column.is_not(None))
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
                    "connector.customers.changed_format",
                    f"value {value!r} in {_where(column)} does not parse as {m.customers.changed_format!r} ({exc})",
                )
            ]
    return []


def _codes(
    conn: sa.Connection, column: sa.ColumnElement, table: dict[str, str], key: str, file: str
) -> list[ConfigIssue]:
    values = conn.execute(sa.select(column).where(column.is_not(None)).distinct().limit(MAX_CODES)).scalars()
    missing = sorted({str(v).strip() for v in values if str(v).strip() and code(v) not in table})
    if not missing:
        return []
    return [
        ConfigIssue(
            file, key, f"code(s) {', '.join(repr(v) for v in missing[:10])} found in {_where(column)} have no entry"
        )
    ]


def sample_problems(conn: sa.Connection, s: LegacySchema, m: SqlBssMapping, file: str) -> list[ConfigIssue]:
    issues = _changed_format(conn, s, m, file)
    issues += duplicated_key(conn, s.cust_key, "connector.customers.key", file, m.customers.key_separator)
    issues += duplicated_key(conn, (s.line["number"],), "connector.numbers.number", file)
    if m.customers.status:
        issues += _codes(conn, s.cust["status"], m.customers.status_map, "connector.customers.status_map", file)
    if m.numbers.kind:
        issues += _codes(conn, s.line["kind"], m.numbers.kind_map, "connector.numbers.kind_map", file)
    if m.numbers.status:
        issues += _codes(conn, s.line["status"], m.numbers.status_map, "connector.numbers.status_map", file)
    return issues
