"""The ``BillingSource`` and ``CallRecordSource`` ports of the sqlbss connector (mixins).

A tenant's connector offers a port only when its mapping has the section
(``[connector.bills]``, ``[connector.calls]``): :func:`connector_class` builds
the class with just those mixins, so the start-up port check
(``required_ports``) sees exactly what the mapping supports.

Watermarks: bills use (change time, bill key) like customers. Calls keep a
position per table - ``{"202404": <(change time, key) or (increasing key)>, ...}``
- for the latest ``months`` monthly tables (or the single table): tables are
read oldest first, each from its own position, so a record that arrives late
in an older month's table is still read. A table that falls out of the window
leaves the watermark. The watermark is compact JSON, opaque to the hall.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import BillBatch, CallBatch, LegacyBill, LegacyCallRecord
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss import billing_db as db
from plugins.sqlbss import billing_check as checks
from plugins.sqlbss import markers, padding
from plugins.sqlbss.accounts import account_separator
from plugins.sqlbss.queries import row_key

IN_LIST = 500


def _parts(items: list, size: int = IN_LIST):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class BillsPort:
    _bill_schema = None

    def _bills_resolved(self, conn: sa.Connection) -> db.BillSchema:
        with self._lock:
            if self._bill_schema is None:
                schema, issues = db.resolve_bills(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._bill_schema = schema
            return self._bill_schema

    def _convert_bills(self, conn: sa.Connection, s: db.BillSchema, rows: list) -> list[LegacyBill]:
        m, width = self.mapping.bills, len(self.mapping.bills.key)
        keys = [row_key(r, width) for r in rows]
        items: dict[tuple, list] = {}
        if s.item_cols is not None:  # item and bill keys may be padded differently: matched stripped
            for part in _parts(keys):
                for item in conn.execute(db.items_of(s, part)):
                    items.setdefault(padding.normal(row_key(item, width)), []).append(item)
        reader = convert.Reader(self.tenant_file, "bills", s.cols, self.mapping.tz)
        item_reader = convert.Reader(self.tenant_file, "bill_items", s.item_cols or {}, self.mapping.tz)
        return [
            convert.bill(
                m,
                reader,
                item_reader,
                self.mapping.bill_items,
                r,
                items.get(padding.normal(k), []),
                convert.join_key(k, m.key_separator),
                account_separator(self.mapping),
            )
            for r, k in zip(rows, keys)
        ]

    async def bills_changed_since(self, watermark: str, limit: int) -> BillBatch:
        position = markers.decode(watermark, len(self.mapping.bills.key))

        def work(conn: sa.Connection) -> BillBatch:
            s = self._bills_resolved(conn)
            rows = conn.execute(db.bills_changed_since(s, position, limit)).all()
            if not rows:
                return BillBatch([], watermark)
            last = rows[-1]
            return BillBatch(
                self._convert_bills(conn, s, rows), markers.encode(last.changed, row_key(last, len(s.key)))
            )

        return await self._run(work)

    async def bills_by_ids(self, legacy_ids: list[str]) -> list[LegacyBill]:
        m = self.mapping.bills
        keys = [tuple(i.split(m.key_separator, len(m.key) - 1)) for i in legacy_ids]
        keys = [k for k in keys if len(k) == len(m.key)]

        def work(conn: sa.Connection) -> list[LegacyBill]:
            s = self._bills_resolved(conn)
            typed = db.typed_keys(s.key, keys)
            width = len(s.key)
            rows = [
                r
                for part in _parts(typed)
                for r in padding.rows_for_keys(
                    conn, lambda condition: db.bills_where(s, condition), s.key, part, lambda row: row_key(row, width)
                )
            ]
            return self._convert_bills(conn, s, rows)

        return await self._run(work) if keys else []

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + checks.bill_problems(self, conn)


class CallsPort:
    _call_tables: dict | None = None

    def _call_table(self, conn: sa.Connection, month: str, name: str) -> db.CallTable:
        with self._lock:
            cache = self._call_tables = self._call_tables if self._call_tables is not None else {}
            if name not in cache:
                table, issues = db.resolve_call_table(conn, self.mapping, self.tenant_file, month, name)
                if issues:
                    raise ConfigError(issues)
                cache[name] = table
            return cache[name]

    @staticmethod
    def _call_id(month: str, key) -> str:
        key = str(key) if type(key) is int else convert.text(key)  # an increasing integer key: the common case
        return f"{month}-{key}" if month else key

    def _convert_calls(self, t: db.CallTable, rows: list) -> list[LegacyCallRecord]:
        reader = convert.Reader(self.tenant_file, "calls", t.cols, self.mapping.tz)
        one, call_id, month = convert.call_converter(self.mapping.calls, reader), self._call_id, t.month
        return [one(r, call_id(month, r[0])) for r in rows]

    @staticmethod
    def _decode(watermark: str) -> dict[str, str]:
        """{table month ("" for a single table): position in that table}."""
        if not watermark:
            return {}
        try:
            positions = json.loads(watermark)
            if not isinstance(positions, dict):
                raise TypeError("not an object")
            return {str(k): str(v) for k, v in positions.items()}
        except (ValueError, TypeError):
            raise markers.WatermarkError(
                f"watermark {watermark!r} does not fit the calls mapping; run a full sync"
            ) from None

    async def calls_after(self, watermark: str, limit: int) -> CallBatch:
        c = self.mapping.calls
        positions = self._decode(watermark)
        width = 1 if c.changed else 0

        def work(conn: sa.Connection) -> CallBatch:
            tables = db.list_call_tables(conn, self.mapping)[-c.months :]  # a single table is a window of one
            window = {month: positions.get(month, "") for month, _ in tables}  # older months drop out of the watermark
            for (
                tmonth,
                name,
            ) in tables:  # each table from its own position: rows arriving late in an older month are read too
                t = self._call_table(conn, tmonth, name)
                rows = conn.execute(db.calls_after(t, markers.decode(window[tmonth], width), limit)).all()
                if rows:
                    last = rows[-1]
                    window[tmonth] = markers.encode(last.changed, (last.k0,)) if width else markers.encode(last.k0, ())
                    return CallBatch(self._convert_calls(t, rows), json.dumps(window, separators=(",", ":")))
            return CallBatch([], watermark)

        return await self._run(work)

    async def calls_by_ids(self, legacy_ids: list[str]) -> list[LegacyCallRecord]:
        c = self.mapping.calls
        wanted: dict[str, list] = {}
        for legacy_id in legacy_ids:
            month, _, key = legacy_id.partition("-") if c.table_pattern else ("", "", legacy_id)
            wanted.setdefault(month, []).append(key)

        def work(conn: sa.Connection) -> list[LegacyCallRecord]:
            tables = dict(db.list_call_tables(conn, self.mapping))
            out = []
            for month, keys in wanted.items():
                if month not in tables:
                    continue
                t = self._call_table(conn, month, tables[month])
                for part in _parts(db.typed_keys((t.key,), [(k,) for k in keys])):
                    out += self._convert_calls(
                        t,
                        padding.rows_for_keys(
                            conn,
                            lambda condition, t=t: db.calls_where(t, condition),
                            (t.key,),
                            part,
                            lambda row: (row.k0,),
                        ),
                    )
            return out

        return await self._run(work)

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + checks.call_problems(self, conn)


def rebuild(mapping, root: str, tenant_file: str):
    """The connector for ``mapping``, built afresh (in a DB agent process; see :meth:`AgentRecipe.agent_recipe`)."""
    from pathlib import Path

    return connector_class(mapping)(mapping, root=Path(root), tenant_file=tenant_file)


class AgentRecipe:
    def agent_recipe(self):
        """How to build an equivalent connector in another process: the mapping pickles, connections don't."""
        return rebuild, (self.mapping, str(self.root), self.tenant_file)


_CLASSES: dict[tuple[bool, bool, bool], type] = {}


def connector_class(mapping) -> type:
    """SqlBssConnector with the ports its mapping supports."""
    from plugins.sqlbss.connector import SqlBssConnector

    wanted = (mapping.bills is not None, mapping.calls is not None, getattr(mapping, "writeback", None) is not None)
    if wanted not in _CLASSES:
        base = SqlBssConnector
        if wanted[2]:  # the writeback port (the outbox's legacy inbox)
            from plugins.sqlbss.writeback import SqlBssWriterConnector as base
        bases = [b for b, on in zip((BillsPort, CallsPort), wanted) if on]
        bases += [AgentRecipe] if bases else []
        _CLASSES[wanted] = type(base.__name__, (*bases, base), {}) if bases else base
    return _CLASSES[wanted]
