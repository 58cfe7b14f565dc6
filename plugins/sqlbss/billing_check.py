"""``hall check`` for bills and call records: a sample of each converted, its codes, keys and plausibility looked at.

Functions of the connector's bills and calls ports (billing.py), kept apart so
each module stays small; ``port`` is the connector.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.api import ConfigIssue
from plugins.sqlbss import billing_db as db
from plugins.sqlbss import check_plausible as plausible
from plugins.sqlbss.check import _codes, lookup_problems
from plugins.sqlbss.check_accounts import account_bill_problems
from plugins.sqlbss.check_keys import duplicated_key, unmatched_numbers
from plugins.sqlbss.legacy_db import resolve

SAMPLE = 20


def _as_issue(tenant_file: str, problem: str) -> ConfigIssue:
    """A converter's problem text (``file: key: reason``) as a ConfigIssue."""
    key, _, reason = problem.removeprefix(tenant_file + ": ").partition(": ")
    return ConfigIssue(tenant_file, key, reason)


def _first_per_key(tenant_file: str, problems) -> list[ConfigIssue]:
    """The first converter problem of each mapping key (a bad amount must not hide a bad month)."""
    first: dict[str, ConfigIssue] = {}
    for problem in problems:
        if problem:
            issue = _as_issue(tenant_file, problem)
            first.setdefault(issue.key, issue)
    return list(first.values())


def bill_problems(port, conn: sa.Connection) -> list[ConfigIssue]:
    s, issues = db.resolve_bills(conn, port.mapping, port.tenant_file)
    if s is None:
        return issues
    base = s.frame.select(*db.bill_columns(s))
    marker = s.cols["changed"]
    rows = [
        *conn.execute(base.order_by(marker).limit(SAMPLE)),
        *conn.execute(base.order_by(marker.desc()).limit(SAMPLE)),
    ]
    bills = port._convert_bills(conn, s, rows)
    issues += _first_per_key(port.tenant_file, (b.problem for b in bills))
    issues += plausible.bill_problems(port.mapping, s, bills, port.tenant_file, {i.key for i in issues})
    if port.mapping.bills.status:
        issues += _codes(
            conn,
            s.cols["status"],
            port.mapping.bills.status_map,
            "connector.bills.status_map",
            port.tenant_file,
            s.frame,
        )
    issues += duplicated_key(
        conn, s.key, "connector.bills.key", port.tenant_file, port.mapping.bills.key_separator, s.frame
    )
    issues += lookup_problems(conn, (s.frame, s.item_frame), port.tenant_file)
    customers, _ = resolve(conn, port.mapping, port.tenant_file)  # its own problems are reported by sample_problems
    issues += account_bill_problems(conn, port.mapping, s, port.tenant_file)  # check_accounts.py
    if customers is not None and "number" in s.cols:
        issues += unmatched_numbers(
            conn,
            s.cols["number"],
            marker,
            customers.line["number"],
            "connector.bills.number",
            port.tenant_file,
            s.frame,
            customers.line_frame,
        )
    return issues


def call_problems(port, conn: sa.Connection) -> list[ConfigIssue]:
    c = port.mapping.calls
    tables = db.list_call_tables(conn, port.mapping)
    if not tables:
        have = ", ".join(sorted(sa.inspect(conn).get_table_names())) or "none"
        return [
            ConfigIssue(
                port.tenant_file,
                "connector.calls.table_pattern",
                f"no table matches {c.table_pattern!r} (tables: {have})",
            )
        ]
    issues: list[ConfigIssue] = []
    resolved = []
    for month, name in tables[-c.months :]:
        t, found = db.resolve_call_table(conn, port.mapping, port.tenant_file, month, name)
        issues += found
        if t is not None:
            resolved.append(t)
    for t in resolved[-1:]:
        query = t.select(t.key.label("k0"), *(col.label(role) for role, col in t.cols.items()))
        rows = [
            *conn.execute(query.order_by(t.key).limit(SAMPLE)),
            *conn.execute(query.order_by(t.key.desc()).limit(SAMPLE)),
        ]
        calls = port._convert_calls(t, rows)
        found = _first_per_key(port.tenant_file, (r.problem for r in calls))
        issues += found + plausible.call_problems(t, calls, port.tenant_file, {i.key for i in found})
        issues += _codes(
            conn, t.cols["call_type"], c.call_type_map, "connector.calls.call_type_map", port.tenant_file, t.frame
        )
        issues += duplicated_key(conn, (t.key,), "connector.calls.key", port.tenant_file, frame=t.frame)
        issues += lookup_problems(conn, (t.frame,), port.tenant_file)
    return issues
