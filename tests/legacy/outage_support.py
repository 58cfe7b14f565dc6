"""A demo legacy database that can be taken away and brought back, with clerks still working in it meanwhile.

``SqliteLegacy`` moves the file away (the connector finds no database).
``PostgresLegacy`` copies the demo data into a scratch PostgreSQL database and
reaches it through a :class:`TcpGate` on a local port: shutting the gate
refuses new connections and cuts the open ones, as a network outage or a
stopped server would. The clerks' changes go straight to the database either way.
"""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class TcpGate:
    """A TCP forwarder from a local port to ``target``; ``shut()`` refuses and cuts connections, ``open()`` lets them through."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def shut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            server.close()
        with self._lock:
            for sock in self._open:
                self._cut(sock)
            self._open.clear()

    @staticmethod
    def _cut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                for sock in (source, sink):
                    self._open.discard(sock)
                    self._cut(sock)


class SqliteLegacy:
    """The demo file; down = moved away."""

    mark = "?"
    outage = "does not exist"  # in the error the sync and the outbox record

    def __init__(self, path: Path):
        self.path = self.home = path
        self.url = f"sqlite:///{path}"

    def down(self) -> None:
        self.path = self.home.with_name("away.sqlite3")
        self.home.rename(self.path)

    def up(self) -> None:
        self.path.rename(self.home)
        self.path = self.home

    def sql(self, statement: str, *args) -> list:
        with closing(sqlite3.connect(self.path)) as conn, conn:
            return conn.execute(statement.replace("%s", self.mark), args).fetchall()

    def call_tables(self) -> list[str]:
        return [
            r[0]
            for r in self.sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'HD_%' ORDER BY 1")
        ]

    def close(self) -> None:
        pass


class PostgresLegacy:
    """The demo data copied into PostgreSQL database ``name`` (names folded to lower case), reached through a gate."""

    mark = "%s"
    outage = "legacy database postgresql"

    def __init__(self, source: Path, admin_url: str, name: str):
        import psycopg

        from core.testing.databases import pg_url_for

        self.direct = pg_url_for(name, admin_url)
        with closing(sqlite3.connect(source)) as lite, psycopg.connect(self.direct, autocommit=True) as pg:
            for table, ddl in lite.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
                pg.execute(ddl)
                rows = lite.execute(f"SELECT * FROM {table}").fetchall()
                if rows:
                    pg.cursor().executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(rows[0]))})", rows)
        parts = urlsplit(self.direct)
        self.gate = TcpGate(parts.hostname or "127.0.0.1", parts.port or 5432)
        self.gate.open()
        auth = parts.netloc.rpartition("@")[0]
        self.url = urlunsplit(
            parts._replace(netloc=f"{auth}@127.0.0.1:{self.gate.port}" if auth else f"127.0.0.1:{self.gate.port}")
        )

    def down(self) -> None:
        self.gate.shut()

    def up(self) -> None:
        self.gate.open()

    def sql(self, statement: str, *args) -> list:
        import psycopg

        with psycopg.connect(self.direct, autocommit=True) as pg:
            cursor = pg.execute(statement, args)
            return cursor.fetchall() if cursor.description else []

    def call_tables(self) -> list[str]:
        return [
            r[0].upper()
            for r in self.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'hd\\_%%' ORDER BY 1"
            )
        ]

    def close(self) -> None:
        self.gate.shut()


def add_calls(legacy, count: int) -> list[str]:
    """New call records in the newest month's table (jiangnan), as core.demo.billing.add_calls; their legacy ids."""
    table = legacy.call_tables()[-1]
    top = legacy.sql(f"SELECT MAX(LSH) FROM {table}")[0][0]
    for i in range(1, count + 1):
        legacy.sql(
            f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)",
            top + i,
            "057180000001",
            "057180000002",
            "20240531235959",
            60,
            "1",
            10,
        )
    return [f"{table[3:]}-{top + i}" for i in range(1, count + 1)]


def _later(legacy, table: str) -> str:
    latest = dt.datetime.strptime(legacy.sql(f"SELECT MAX(XGSJ) FROM {table}")[0][0], "%Y%m%d%H%M%S")
    return f"{latest + dt.timedelta(seconds=5):%Y%m%d%H%M%S}"


def pay_a_bill(legacy) -> str:
    """The oldest unpaid bill paid in full (jiangnan: ZD_ZDXX); its legacy id."""
    bill = legacy.sql("SELECT ZDBH FROM ZD_ZDXX WHERE ZT = 'W' ORDER BY ZDBH LIMIT 1")[0][0]
    legacy.sql("UPDATE ZD_ZDXX SET YJE = ZJE, ZT = 'Y', XGSJ = %s WHERE ZDBH = %s", _later(legacy, "ZD_ZDXX"), bill)
    return bill


def rename_customer(legacy, legacy_id: str, name: str) -> None:
    """A clerk corrects a customer's name (jiangnan: KHMC, change time XGSJ as local text)."""
    legacy.sql("UPDATE KH_KHXX SET KHMC = %s, XGSJ = %s WHERE KHBH = %s", name, _later(legacy, "KH_KHXX"), legacy_id)


def inbox_ids(legacy) -> list[str]:
    return [r[0] for r in legacy.sql("SELECT SJBH FROM JK_HXSJ")]
