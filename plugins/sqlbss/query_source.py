"""A section's rows from a read-only query the integrator writes (``query = "SELECT ..."`` in place of ``table``).

Some shapes are beyond the mapping language (a UNION of two tables, a
window function, a vendor's view-like construct). The query is then the
section's source: the hall wraps it as a derived table - ``SELECT ... FROM
(<query>) AS bills_query WHERE <watermark> ORDER BY ... LIMIT n`` - and maps
its result columns as if they were a table's, with the same watermark, paging,
filters and ``hall check`` samples.

It must be one SELECT (or WITH ... SELECT) and nothing else: :func:`validate`
refuses semicolons, comments and any data-changing or locking keyword outside
string literals and quoted names when the mapping is loaded, and the connector
runs every read of such a mapping in a read-only transaction where the driver
allows (:func:`plugins.sqlbss.drivers.read_only`). A read-only database
account remains the real protection; this keeps honest mistakes out.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

# DML, DDL and side doors to them. Statement-only words (PRAGMA, SET, VACUUM...) cannot occur: the query must
# start with SELECT or WITH and be one statement. REPLACE is left out: it is also a string function.
FORBIDDEN = (
    "insert update delete merge upsert drop create alter truncate rename grant revoke call exec execute copy lock into"
).split()
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$#]*")
SAMPLE = 20


def _unquoted(query: str) -> str:
    """``query`` with string literals and quoted names blanked; ValueError for a quote left open."""
    blanked = _QUOTED.sub(" ", query)
    if any(q in blanked for q in ("'", '"', "`")):
        raise ValueError("has a quote that is not closed")
    return blanked


def validate(query: str) -> str:
    """The query, stripped, when it is a single read-only SELECT; ValueError saying what is wrong otherwise."""
    query = query.strip()
    if not query:
        raise ValueError("is empty")
    bare = _unquoted(query)
    if ";" in bare:
        raise ValueError("must be a single SELECT: no semicolons")
    if "--" in bare or "/*" in bare:
        raise ValueError("must not contain comments (-- or /*): write them in the TOML file instead")
    words = [w.casefold() for w in _WORD.findall(bare)]
    if not words or words[0] not in ("select", "with"):
        raise ValueError("must start with SELECT or WITH")
    bad = sorted({w for w in words if w in FORBIDDEN})
    if bad:
        raise ValueError(f"must only read: {', '.join(w.upper() for w in bad)} is not allowed")
    if re.search(r"\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b", bare, re.IGNORECASE):
        raise ValueError("must only read: FOR UPDATE / FOR SHARE would lock the legacy rows")
    return query


def _escaped(query: str) -> str:
    """Colons escaped, so SQLAlchemy does not read ``':30'`` in a literal as a bind parameter (``::`` casts stay)."""
    return re.sub(r"(?<![:\w\\]):(?=\w)", r"\\:", query)


def _python_type(values: list[Any]) -> Any:
    """The SQLAlchemy type the sampled values suggest (keys need one: PostgreSQL refuses text = integer)."""
    import datetime as dt
    import decimal

    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return None
    if kinds <= {int}:
        return sa.Integer()
    if kinds <= {int, decimal.Decimal, float}:
        return sa.Numeric()
    if kinds <= {str}:
        return sa.String()
    if kinds <= {dt.datetime}:
        return sa.DateTime()
    if kinds <= {dt.date}:
        return sa.Date()
    return None


def probe(conn: sa.Connection, query: str) -> tuple[list[str], dict[str, Any]]:
    """The result column names of ``query`` and a type per column guessed from a sample (run with LIMIT)."""
    derived = sa.text(_escaped(query)).columns().subquery("probe")
    result = conn.execute(sa.select(sa.literal_column("*")).select_from(derived).limit(SAMPLE))
    names = list(result.keys())
    rows = result.all()
    return names, {n: _python_type([r[i] for r in rows]) for i, n in enumerate(names)}


def derived(query: str, alias: str, columns: list[sa.ColumnClause]) -> sa.Subquery:
    """The query as a derived table with the given (typed) result columns."""
    return sa.text(_escaped(query)).columns(*columns).subquery(alias)
