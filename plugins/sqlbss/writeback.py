"""The ``writeback`` port for sqlbss: outbox events written into the legacy database, once per event.

A tenant whose ``[connector]`` has a ``writeback`` table gets an
:class:`SqlBssWriterConnector`; without one the connector lacks the port (so
``isinstance(connector, LegacyWriter)`` is honest and the outbox leaves the
events waiting). Each event goes, by its kind:

- to the BSS's own tables when ``[connector.writeback.events."<kind>"]`` maps
  it (:mod:`plugins.sqlbss.writeback_rows`: one row per event or per element,
  idempotent by the mapped key);
- else to the inbox table, when there is one: idempotence is an existence
  check on the event-id column in the same legacy transaction as the insert;
  the column is unique in the legacy table, so a concurrent writer of the
  same event makes the insert fail with an integrity error, which is read as
  "already there". Plain INSERT and SELECT work on every database an old BSS
  runs on (no ``ON CONFLICT`` dialects);
- else nowhere: :class:`~core.api.legacy.UnmappedEvent`, and the event waits
  in the outbox with the reason until the mapping says where it goes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import UnmappedEvent
from plugins.sqlbss import padding
from plugins.sqlbss.connector import SqlBssConnector
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.writeback_map import WritebackMap
from plugins.sqlbss.writeback_rows import TargetTable, TargetWriter, check_target, resolve_target
from plugins.sqlbss.writeback_values import Event, legacy_time, takes

ROLES = ("event_id", "kind", "payload", "written")
__all__ = ["SqlBssWriterConnector", "legacy_time"]


class SqlBssWriterConnector(SqlBssConnector):
    """SqlBssConnector plus the ``writeback`` port (:class:`core.legacy.ports.LegacyWriter`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox: tuple[sa.TableClause, dict[str, sa.ColumnElement]] | None = None
        self._inbox_lock = threading.Lock()
        self._targets: dict[str, list[TargetTable]] = {}

    @property
    def writeback(self) -> WritebackMap:
        assert self.mapping.writeback is not None
        return self.mapping.writeback

    def _resolve_inbox(self, conn: sa.Connection) -> tuple[tuple | None, list[ConfigIssue]]:
        w = self.writeback
        if not w.has_inbox:
            return None, []
        resolver = _Resolver(conn, self.tenant_file)
        table, found = resolver.table(w.table, "connector.writeback.table", {role: getattr(w, role) for role in ROLES})
        if table is None:
            return None, resolver.issues
        return (table, {role: table.c[names[0]] for role, names in found.items()}), []

    def _inbox_of(self, conn: sa.Connection) -> tuple[sa.TableClause, dict[str, sa.ColumnElement]]:
        with self._inbox_lock:
            if self._inbox is None:
                inbox, issues = self._resolve_inbox(conn)
                if issues:
                    raise ConfigError(issues)
                self._inbox = inbox
            return self._inbox

    def _targets_of(self, conn: sa.Connection, kind: str) -> list[TargetTable]:
        with self._inbox_lock:
            if kind not in self._targets:
                tables, issues = [], []
                for target in self.writeback.targets(kind):
                    table, found = resolve_target(conn, target, self.tenant_file)
                    tables.append(table)
                    issues += found
                if issues:
                    raise ConfigError(issues)
                self._targets[kind] = tables
            return self._targets[kind]

    async def write_event(self, event_id: str, kind: str, payload: dict) -> None:
        """Write the event into its kind's mapped tables, else into the legacy inbox; nothing a second time."""
        targets = self.writeback.targets(kind)
        at = dt.datetime.now(dt.timezone.utc)
        event = Event(event_id, kind, payload, at)
        if any(takes(t, event) for t in targets):
            await self._run_write(lambda conn: self._write_rows(conn, event))
            return
        if not self.writeback.has_inbox:
            await self._run(lambda conn: None)  # unreachable: ConnectionError (the outbox waits), not "unmapped"
            raise UnmappedEvent(self._why_unmapped(kind, payload))
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        await self._run_write(lambda conn: self._write(conn, event_id, kind, body))

    def _write_rows(self, conn: sa.Connection, event: Event) -> int:
        return TargetWriter(conn, self._targets_of(conn, event.kind), self.mapping.tz, self.tenant_file).write(event)

    def _why_unmapped(self, kind: str, payload: dict) -> str:
        targets = self.writeback.targets(kind)
        if not targets:
            return (
                f'{self.tenant_file}: no [connector.writeback.events."{kind}"] maps events of kind {kind} '
                "and there is no inbox table: the event waits until the mapping says where it goes"
            )
        filters = "; ".join(f"{t.label}: when {dict(t.when)}" for t in targets)
        return f"{self.tenant_file}: no target of {kind} takes this event ({filters}) and there is no inbox table"

    def _write(self, conn: sa.Connection, event_id: str, kind: str, body: str) -> None:
        table, col = self._inbox_of(conn)
        values = {col["event_id"].name: event_id, col["kind"].name: kind, col["payload"].name: body}
        if "written" in col:
            values[col["written"].name] = legacy_time(
                dt.datetime.now(dt.timezone.utc), self.writeback.written_format, self.mapping.tz
            )
        seen = (
            sa.select(sa.literal(1)).select_from(table).where(padding.equals(col["event_id"], event_id))
        )  # CHAR(n) pads it
        try:
            if conn.execute(seen).first() is None:
                conn.execute(sa.insert(table).values(values))
            conn.commit()
        except sa.exc.IntegrityError:
            conn.rollback()
            if conn.execute(seen).first() is None:  # not a duplicate: the legacy table refused the row itself
                raise

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        """``hall check``: the inbox table and its columns exist; each mapped target's table, columns, key and types."""
        issues = self._resolve_inbox(conn)[1]
        for target in self.writeback.events.values():
            issues += check_target(conn, target, self.tenant_file)
        return super()._more_problems(conn) + issues
