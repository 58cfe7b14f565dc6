"""``hall check`` for billing accounts: names, codes and keys of the accounts table, and accounts nobody holds.

Like :mod:`check_keys`, bounded samples of the data itself: the latest bills
of an account (``bills.account``) and a sample of lines (``numbers.account``)
must name an account that exists - a row of ``[connector.accounts]``, or,
without an accounts table, an account some line names (the hall derives its
accounts from the lines, so a bill of an account no line has is quarantined).
Each problem names the file, the mapping key, ``table.column`` and an example.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import padding
from plugins.sqlbss.accounts import account_separator, resolve_accounts
from plugins.sqlbss.billing_db import _NO_MATCH, key_value
from plugins.sqlbss.check import _codes, lookup_problems
from plugins.sqlbss.check_keys import ORPHAN_SAMPLE, _select, duplicated_key, shown, where
from plugins.sqlbss.legacy_db import resolve


def _targets(conn: sa.Connection, m, file: str) -> tuple[tuple, str, object] | None:
    """(the columns an account value must be found in, what they are called, their frame), or None when they do not resolve."""
    if m.accounts is not None:
        s, _ = resolve_accounts(conn, m, file)
        return (s.key, "account", s.frame) if s is not None else None
    schema, _ = resolve(conn, m, file)
    if schema is None or not m.numbers.account:
        return None
    return tuple(schema.line[f"account{i}"] for i in range(len(m.numbers.account))), "line", schema.line_frame


def _typed(value, column: sa.ColumnElement):
    """A sampled value as the target column compares it (PostgreSQL refuses text = integer); None: it cannot match."""
    typed = key_value(column, "" if value is None else str(value).strip())
    return None if typed is _NO_MATCH else typed


def unmatched_accounts(
    conn: sa.Connection,
    columns: tuple,
    order: sa.ColumnElement,
    targets: tuple,
    what: str,
    key: str,
    file: str,
    sep: str,
    target_frame=None,
    frame=None,
) -> list[ConfigIssue]:
    """One problem when some of the sampled rows (latest by ``order``) name an account with no row in ``targets``.

    ``frame`` / ``target_frame``: the sections' frames (their look-up joins and row filters).
    """
    query = (
        _select(frame, *columns).where(*(c.is_not(None) for c in columns)).order_by(order.desc()).limit(ORPHAN_SAMPLE)
    )
    sampled = [
        tuple(_typed(v, t) for v, t in zip(row, targets))
        for row in conn.execute(query)
        if any(str(v).strip() for v in row)
    ]
    if not sampled:
        return []
    wanted = list(dict.fromkeys(v for v in sampled if None not in v))
    width = len(targets)
    found = padding.rows_for_keys(
        conn,
        lambda condition: _select(target_frame, *(t.label(f"k{i}") for i, t in enumerate(targets))).where(condition),
        targets,
        wanted,
        lambda row: tuple(getattr(row, f"k{i}") for i in range(width)),
    )
    known = {padding.normal(tuple(r)) for r in found}
    missing = [v for v in sampled if padding.normal(v) not in known]
    if not missing:
        return []
    example = sep.join(str(v).strip() for v in missing[0])
    return [
        ConfigIssue(
            file,
            key,
            f"{len(missing)} of the latest {len(sampled)} rows of {where(columns)} name no {what} "
            f"in {where(targets)}, e.g. {shown(example)}",
        )
    ]


def account_bill_problems(conn: sa.Connection, m, s, file: str) -> list[ConfigIssue]:
    """Bills of an account (``bills.account``) whose account resolves to no account; ``s`` is the BillSchema."""
    if m.bills.account is None:
        return []
    targets = _targets(conn, m, file)
    if targets is None:  # their own problems are reported elsewhere
        return []
    columns = tuple(s.cols[f"account{i}"] for i in range(len(m.bills.account)))
    key, sep = "connector.bills.account", account_separator(m)
    targets, what, target_frame = targets
    return unmatched_accounts(conn, columns, s.cols["changed"], targets, what, key, file, sep, target_frame, s.frame)


def account_problems(conn: sa.Connection, m, file: str) -> list[ConfigIssue]:
    """The accounts table: names, code maps, a unique key; and lines naming an account it lacks."""
    a = m.accounts
    if a is None:
        return []
    s, issues = resolve_accounts(conn, m, file)
    if s is None:
        return issues
    issues += duplicated_key(conn, s.key, "connector.accounts.key", file, a.key_separator, s.frame)
    if a.billing:
        issues += _codes(conn, s.cols["billing"], a.billing_map, "connector.accounts.billing_map", file, s.frame)
    if a.status:
        issues += _codes(conn, s.cols["status"], a.status_map, "connector.accounts.status_map", file, s.frame)
    issues += lookup_problems(conn, (s.frame,), file)
    lines, _ = resolve(conn, m, file)
    if lines is not None and m.numbers.account:
        columns = tuple(lines.line[f"account{i}"] for i in range(len(m.numbers.account)))
        issues += unmatched_accounts(
            conn,
            columns,
            lines.line["number"],
            s.key,
            "account",
            "connector.numbers.account",
            file,
            a.key_separator,
            s.frame,
            lines.line_frame,
        )
    return issues
