"""The sqlbss side of reconciliation (core.legacy.reconcile): every legacy key per kind, a page at a time.

Keys are listed in key order (not change order) so a row updated while the
listing runs keeps its place and cannot be skipped. The cursor is the last key
listed (for calls: the monthly table and the last key in it). Calls are listed
only from the tables inside ``connector.calls.months``; ``since`` tells the hall
where that window starts, so older records it still holds are left to retention.

A mixin of :class:`SqlBssConnector`: it lists the kinds its mapping has
(customers always; bills and calls when mapped, using the schema the bills and
calls mixins resolve), so every sqlbss connector offers ``LegacyIdSource``.
It also reads customers back by legacy id (``customers_by_ids``), which the
quarantine retry of customers uses (core.legacy.customer_sync.fetch_function).
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from core.api.legacy import IdPage, LegacyCustomer
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss import markers, queries
from plugins.sqlbss.changes import after

# The oldest window month's first day is left out of the comparison: a legacy system may file a call
# that started just before midnight (or in another zone) under the next month's table.
WINDOW_MARGIN = dt.timedelta(days=1)


def _cursor(key: tuple) -> str:
    return markers.encode(key[0], tuple(key[1:]))


def _position(cursor: str, width: int) -> tuple | None:
    decoded = markers.decode(cursor, width - 1)
    return None if decoded is None else (decoded[0], *decoded[1])


def _keys_after(columns: tuple, position: tuple | None, limit: int, frame=None) -> sa.Select:
    labelled = [c.label(f"k{i}") for i, c in enumerate(columns)]
    query = frame.select(*labelled) if frame is not None else sa.select(*labelled)
    if position is not None:
        query = query.where(after(columns, position))
    return query.order_by(*columns).limit(limit)


def _page(conn: sa.Connection, columns: tuple, cursor: str, limit: int, frame=None) -> tuple[list[tuple], str]:
    """A page of keys; ``frame`` (frames.py) applies the section's row filter: a row filtered out is gone for the hall."""
    rows = conn.execute(_keys_after(columns, _position(cursor, len(columns)), limit, frame)).all()
    keys = [tuple(r) for r in rows]
    return keys, (_cursor(keys[-1]) if len(keys) == limit else "")


class ReconcilePort:
    def reconcilable_kinds(self) -> tuple[str, ...]:
        m = self.mapping
        return ("customers", *(("bills",) if m.bills is not None else ()), *(("calls",) if m.calls is not None else ()))

    async def legacy_ids(self, kind: str, cursor: str, limit: int) -> IdPage:
        if kind not in self.reconcilable_kinds():
            raise ValueError(f"this connector's mapping has no {kind}")
        work = {"customers": self._customer_ids, "bills": self._bill_ids, "calls": self._call_ids}[kind]
        return await self._run(lambda conn: work(conn, cursor, limit))

    async def customers_by_ids(self, legacy_ids: list[str]) -> list[LegacyCustomer]:
        """The customers with these legacy ids as they are now; unknown ids are left out."""
        from plugins.sqlbss.billing_db import typed_keys

        c = self.mapping.customers
        width = len(c.key)
        keys = [k for k in (tuple(i.split(c.key_separator, width - 1)) for i in legacy_ids) if len(k) == width]

        def work(conn: sa.Connection) -> list[LegacyCustomer]:
            s = self._resolved(conn)
            found = []
            for key in typed_keys(s.cust_key, keys):
                row = queries.customer_by_key(conn, s, key)
                if row is not None:
                    found.append(self.rows.customer(row, queries.lines_of_one(conn, s, key)))
            return self.accounts.attach(conn, found)

        return await self._run(work) if keys else []

    def _customer_ids(self, conn: sa.Connection, cursor: str, limit: int) -> IdPage:
        s = self._resolved(conn)
        keys, following = _page(conn, s.cust_key, cursor, limit, s.cust_frame)
        return IdPage([self.rows.legacy_id(k) for k in keys], following)

    def _bill_ids(self, conn: sa.Connection, cursor: str, limit: int) -> IdPage:
        s = self._bills_resolved(conn)
        keys, following = _page(conn, s.key, cursor, limit, s.frame)
        return IdPage([convert.join_key(k, self.mapping.bills.key_separator) for k in keys], following)

    def _call_ids(self, conn: sa.Connection, cursor: str, limit: int) -> IdPage:
        from plugins.sqlbss import billing_db as db

        c = self.mapping.calls
        tables = db.list_call_tables(conn, self.mapping)[-c.months :]
        since = None
        if c.table_pattern and tables:
            oldest = tables[0][0]
            since = dt.datetime(int(oldest[:4]), int(oldest[4:]), 1, tzinfo=self.mapping.tz) + WINDOW_MARGIN
        state = json.loads(cursor) if cursor else {"m": tables[0][0] if tables else "", "c": ""}
        for month, name in tables:
            if month < state["m"]:
                continue
            t = self._call_table(conn, month, name)
            inner = state["c"] if month == state["m"] else ""
            keys, following = _page(conn, (t.key,), inner, limit, t.frame)
            if keys or following:
                ids = [self._call_id(month, k[0]) for k in keys]
                later = [m for m, _ in tables if m > month]
                if following:
                    nxt = json.dumps({"m": month, "c": following}, separators=(",", ":"))
                else:
                    nxt = json.dumps({"m": later[0], "c": ""}, separators=(",", ":")) if later else ""
                return IdPage(ids, nxt, since)
        return IdPage([], "", since)
