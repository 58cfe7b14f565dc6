"""The ``writeback`` port for sqlbss: outbox events inserted into the legacy system's inbox table, once per event id.

A tenant whose ``[connector]`` has a ``writeback`` table gets an
:class:`SqlBssWriterConnector`; without one the connector lacks the port (so
``isinstance(connector, LegacyWriter)`` is honest and the outbox leaves the
events waiting). Idempotence is an existence check on the event-id column in
the same legacy transaction as the insert; the column is unique in the legacy
table, so a concurrent writer of the same event makes the insert fail with an
integrity error, which is read as "already there". Plain INSERT and SELECT
work on every database an old BSS runs on (no ``ON CONFLICT`` dialects).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from plugins.sqlbss import padding
from plugins.sqlbss.connector import SqlBssConnector
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.writeback_map import WritebackMap

ROLES = ("event_id", "kind", "payload", "written")


def legacy_time(moment: dt.datetime, fmt: str, tz: dt.tzinfo) -> Any:
    """``moment`` in the legacy system's representation (the inverse of markers.to_datetime)."""
    if fmt == "epoch":
        return int(moment.timestamp())
    if fmt == "epoch_ms":
        return int(moment.timestamp() * 1000)
    local = moment.astimezone(tz).replace(tzinfo=None)  # the BSS writes local times without a zone
    return local.strftime(fmt[5:]) if fmt.startswith("text:") else local


class SqlBssWriterConnector(SqlBssConnector):
    """SqlBssConnector plus the ``writeback`` port (:class:`core.legacy.ports.LegacyWriter`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox: tuple[sa.TableClause, dict[str, sa.ColumnElement]] | None = None
        self._inbox_lock = threading.Lock()

    @property
    def writeback(self) -> WritebackMap:
        assert self.mapping.writeback is not None
        return self.mapping.writeback

    def _resolve_inbox(self, conn: sa.Connection) -> tuple[tuple | None, list[ConfigIssue]]:
        w = self.writeback
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

    async def write_event(self, event_id: str, kind: str, payload: dict) -> None:
        """Insert the event into the legacy inbox unless its id is there already."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        await self._run_write(lambda conn: self._write(conn, event_id, kind, body))

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
        """``hall check``: the inbox table and its columns exist."""
        return super()._more_problems(conn) + self._resolve_inbox(conn)[1]
