"""SqlBssConnector: the ``Connector`` and ``CustomerSource`` ports over a legacy SQL database.

Why a synchronous SQLAlchemy engine run in ``asyncio.to_thread`` rather than
SQLAlchemy's async engine: old BSSs run on Oracle, SQL Server, DB2 or
Informix, whose drivers are synchronous (async drivers exist for PostgreSQL
and little else), and the connector must reach them all with the same code.
The calls are few and coarse - one query per page of hundreds of customers -
so one thread hop per call costs nothing measurable, and the small pool
(``pool_size``, default 2) keeps the hall from loading the legacy system.

Nothing touches the legacy database at construction: start-up must not fail
because the BSS is briefly down (and ``hall demo`` creates the demo database
after the hall is built). The schema is reflected on first use and cached.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import CustomerBatch, LegacyCustomer
from plugins.sqlbss import drivers, markers, padding, queries
from plugins.sqlbss.accounts import AccountReader
from plugins.sqlbss.check import sample_problems
from plugins.sqlbss.check_accounts import account_problems
from plugins.sqlbss.legacy_db import LegacySchema, make_engine, resolve, sqlite_path
from plugins.sqlbss.mapping import SqlBssMapping, has_query
from plugins.sqlbss.look_back import LookBackPort
from plugins.sqlbss.reconcile import ReconcilePort


class LegacyUnavailable(ConnectionError):
    """The legacy database cannot be reached or opened."""


class SqlBssConnector(
    LookBackPort, ReconcilePort
):  # look-back: look_back.py; reconciliation's id listing: reconcile.py
    name = "sqlbss"

    def __init__(self, mapping: SqlBssMapping, *, root: Path, tenant_file: Path | str):
        self.mapping = mapping
        self.root = Path(root)
        self.tenant_file = str(tenant_file)
        self.engine = make_engine(mapping, self.root, self.tenant_file)
        self.rows = queries.RowConverter(mapping)
        self.accounts = AccountReader(mapping, self.tenant_file)  # [connector.accounts]: accounts.py
        self._schema: LegacySchema | None = None
        self._lock = threading.Lock()
        self._read_only = has_query(mapping)

    def __repr__(self) -> str:
        return f"<SqlBssConnector {self.engine.url.render_as_string(hide_password=True)}>"

    def display_names(self, kind: str) -> dict:
        """Per-language names of legacy codes (core/legacy/names.py): ``bill_items`` → [connector.bill_items.name_map]."""
        if kind == "bill_items" and self.mapping.bill_items is not None:
            return dict(self.mapping.bill_items.name_map)
        return {}

    # -- plumbing -----------------------------------------------------------------
    async def _run(self, work: Callable[[sa.Connection], Any]) -> Any:
        """``work(conn)`` in a thread; read-only when the mapping runs an integrator's query (query_source.py)."""
        return await asyncio.to_thread(self._in_connection, work, self._read_only)

    async def _run_write(self, work: Callable[[sa.Connection], Any]) -> Any:
        """``work(conn)`` in a thread, allowed to write (the write-back)."""
        return await asyncio.to_thread(self._in_connection, work, False)

    def _in_connection(self, work: Callable[[sa.Connection], Any], read_only: bool = False) -> Any:
        path = sqlite_path(self.mapping, self.root)
        if path is not None and not path.is_file():
            raise LegacyUnavailable(f"legacy database file {path} does not exist (connector.url in {self.tenant_file})")
        try:
            with self.engine.connect() as conn:
                undo = drivers.read_only(conn) if read_only else None
                try:
                    return work(conn)
                finally:
                    if undo is not None:
                        conn.rollback()
                        undo()
        except sa.exc.OperationalError as exc:
            raise LegacyUnavailable(
                f"legacy database {self.engine.url.render_as_string(hide_password=True)}: {exc.orig}"
            ) from exc

    def _resolved(self, conn: sa.Connection) -> LegacySchema:
        with self._lock:
            if self._schema is None:
                schema, issues = resolve(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._schema = schema
            return self._schema

    # -- Connector ------------------------------------------------------------------
    async def ping(self) -> None:
        await self._run(lambda conn: conn.execute(sa.select(sa.literal_column("1"))).scalar_one())  # Oracle: FROM DUAL

    async def close(self) -> None:
        await asyncio.to_thread(self.engine.dispose)

    # -- CustomerSource ---------------------------------------------------------------
    async def customers_changed_since(self, watermark: str, limit: int) -> CustomerBatch:
        position = markers.decode(watermark, len(self.mapping.customers.key))
        return await self._run(lambda conn: self._page(conn, position, watermark, limit))

    def _page(self, conn: sa.Connection, position, watermark: str, limit: int) -> CustomerBatch:
        s = self._resolved(conn)
        rows = conn.execute(queries.changed_since(s, position, limit)).all()
        if not rows:
            return CustomerBatch(customers=[], watermark=watermark)
        width = len(s.cust_key)
        lines = self._lines(conn, s, [queries.row_key(r, width) for r in rows])
        customers = [self.rows.customer(r, lines.get(padding.normal(queries.row_key(r, width)), [])) for r in rows]
        customers = self.accounts.attach(conn, customers)
        last = rows[-1]
        return CustomerBatch(customers=customers, watermark=markers.encode(last.changed, queries.row_key(last, width)))

    def _lines(self, conn: sa.Connection, s: LegacySchema, keys: list[tuple]) -> dict[tuple, list]:
        """The lines of a page of customers by stripped key: line and customer keys may be padded differently."""
        by_key: dict[tuple, list] = {}
        for row in conn.execute(queries.lines_of(s, keys)):
            by_key.setdefault(padding.normal(queries.row_key(row, len(s.line_key))), []).append(row)
        return by_key

    async def customer_by_number(self, number: str) -> LegacyCustomer | None:
        number = number.strip()
        if not number:
            return None
        return await self._run(lambda conn: self._by_number(conn, number))

    def _by_number(self, conn: sa.Connection, number: str) -> LegacyCustomer | None:
        s = self._resolved(conn)
        line = queries.line_by_number(conn, s, number)  # the number may be CHAR-padded in the legacy table (padding.py)
        if line is None:
            return None
        key = queries.row_key(line, len(s.line_key))
        row = queries.customer_by_key(conn, s, key)
        if row is None:
            return None
        return self.accounts.attach(conn, [self.rows.customer(row, queries.lines_of_one(conn, s, key))])[0]

    # -- diagnostics ----------------------------------------------------------------
    async def problems(self) -> list[ConfigIssue]:
        """Every mismatch between the mapping and the live database: unknown names, unparseable values, unmapped codes."""

        def work(conn: sa.Connection) -> list[ConfigIssue]:
            schema, issues = resolve(conn, self.mapping, self.tenant_file)
            issues = issues if schema is None else sample_problems(conn, schema, self.mapping, self.tenant_file)
            return issues + account_problems(conn, self.mapping, self.tenant_file) + self._more_problems(conn)

        try:
            return await self._run(work)
        except LegacyUnavailable as exc:
            return [ConfigIssue(self.tenant_file, "connector.url", str(exc))]

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        """Problems of the optional ports' sections (bills, calls): extended by their mixins (billing.py)."""
        return []

    async def check(self) -> None:
        """Raise ConfigError (file, key, reason per problem) unless the mapping fits the live database."""
        issues = await self.problems()
        if issues:
            raise ConfigError(issues)
