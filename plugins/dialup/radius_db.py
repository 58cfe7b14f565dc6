"""The tenant's FreeRADIUS database, spoken to directly (no ORM): SQLite through the standard library, PostgreSQL
through asyncpg. Statements are written with ``?`` and run in one transaction per call."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

UTC = dt.timezone.utc
TABLES = ("radcheck", "radreply", "radusergroup", "radacct")


class RadiusDbError(Exception):
    """The RADIUS database could not be reached or refused a statement."""


@dataclass(frozen=True)
class Dsn:
    dialect: str  # sqlite | postgresql
    path: str = ""  # sqlite
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = ""
    password: str = ""
    database: str = ""

    @classmethod
    def parse(cls, dsn: str, base: Path | None = None) -> "Dsn":
        parts = urlsplit(dsn or "")
        if parts.scheme == "sqlite":
            raw = dsn.split("://", 1)[1].removeprefix("/")  # sqlite:///rel.sqlite, sqlite:////abs.sqlite
            path = Path(raw)
            if not path.is_absolute() and base is not None:
                path = base / path
            return cls("sqlite", path=str(path))
        if parts.scheme in ("postgresql", "postgres"):
            return cls(
                "postgresql",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                database=(parts.path or "/").lstrip("/") or "radius",
            )
        raise RadiusDbError(f"radius_db must be sqlite:///… or postgresql://… (got {dsn!r})")


def _numbered(sql: str) -> str:
    count = iter(range(1, 1000))
    return re.sub(r"\?", lambda _m: f"${next(count)}", sql)


class RadiusDb:
    """One tenant's RADIUS database; every call opens its own connection (the hall's workers share nothing)."""

    def __init__(self, dsn: Dsn):
        self.dsn = dsn

    def when(self, moment: dt.datetime):
        """A time as radacct stores it: epoch seconds in SQLite (FreeRADIUS's queries), timestamptz in PostgreSQL."""
        return int(moment.timestamp()) if self.dsn.dialect == "sqlite" else moment

    @staticmethod
    def as_time(value) -> dt.datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, (int, float)) or str(value).isdigit():
            return dt.datetime.fromtimestamp(int(value), UTC)
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=UTC)

    async def run(self, statements: list[tuple[str, tuple]]) -> None:
        """Run the statements in one transaction."""
        await self._call(statements, fetch=False)

    async def fetch(self, sql: str, *params) -> list[dict]:
        return await self._call([(sql, params)], fetch=True)

    async def _call(self, statements, fetch: bool):
        try:
            if self.dsn.dialect == "sqlite":
                return await asyncio.to_thread(self._sqlite, statements, fetch)
            return await self._postgres(statements, fetch)
        except RadiusDbError:
            raise
        except (TimeoutError, OSError, sqlite3.Error) as exc:
            raise RadiusDbError(f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # asyncpg's errors
            if type(exc).__module__.startswith("asyncpg"):
                raise RadiusDbError(f"{type(exc).__name__}: {exc}") from exc
            raise

    def _sqlite(self, statements, fetch: bool):
        if not Path(self.dsn.path).exists():
            raise RadiusDbError(f"no RADIUS database at {self.dsn.path}")
        conn = sqlite3.connect(self.dsn.path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                rows = []
                for sql, params in statements:
                    cur = conn.execute(sql, params)
                    if fetch:
                        rows = [dict(r) for r in cur.fetchall()]
            return rows
        finally:
            conn.close()

    async def _connect(self):
        import asyncpg

        d = self.dsn
        return await asyncpg.connect(
            host=d.host, port=d.port, user=d.user, password=d.password or None, database=d.database, timeout=5
        )

    async def _postgres(self, statements, fetch: bool):
        conn = await self._connect()
        try:
            async with conn.transaction():
                rows = []
                for sql, params in statements:
                    if fetch:
                        rows = [dict(r) for r in await conn.fetch(_numbered(sql), *params)]
                    else:
                        await conn.execute(_numbered(sql), *params)
            return rows
        finally:
            await conn.close()

    async def ensure_schema(self, schema_dir: str) -> bool:
        """Create FreeRADIUS's tables from its own schema.sql when the database has none; True when it did."""
        schema = Path(schema_dir) / self.dsn.dialect / "schema.sql"
        if self.dsn.dialect == "sqlite":
            Path(self.dsn.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.dsn.path)
            try:
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'radcheck'").fetchone():
                    return False
                conn.executescript(schema.read_text())
                conn.commit()
                return True
            finally:
                conn.close()
        conn = await self._connect()
        try:
            if await conn.fetchval("SELECT to_regclass('radcheck') IS NOT NULL"):
                return False
            await conn.execute(schema.read_text())
            return True
        finally:
            await conn.close()


def secret_password(hall, tenant_id: str) -> str:
    """The RADIUS database's password, kept out of tenant.toml: ``HALL_TENANT_<ID>_DIALUP__RADIUS_DB_PASSWORD``, or
    ``radius_db_password`` under ``[dialup.<tenant>]`` in the secrets file beside hall.toml."""
    import os
    import tomllib

    from core.api import secrets_path

    env = os.environ.get(f"HALL_TENANT_{tenant_id.upper().replace('-', '_')}_DIALUP__RADIUS_DB_PASSWORD")
    if env:
        return env
    config_file = getattr(getattr(hall, "settings", None), "config_file", None)
    path = secrets_path(config_file) if config_file else None
    if path is None or not Path(path).exists():
        return ""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return str(data.get("dialup", {}).get(tenant_id, {}).get("radius_db_password", ""))


def radius_db(hall, tenant) -> RadiusDb:
    """The tenant's RADIUS database from ``[plugins.dialup] radius_db`` (a relative SQLite path: under the hall's root)."""
    settings = tenant.plugin_settings("dialup")
    if not settings.radius_db:
        raise RadiusDbError("no RADIUS database configured ([plugins.dialup] radius_db)")
    dsn = Dsn.parse(settings.radius_db, base=Path(getattr(hall, "root", ".") or "."))
    if dsn.dialect == "postgresql" and not dsn.password:
        dsn = replace(dsn, password=secret_password(hall, tenant.id))
    return RadiusDb(dsn)
