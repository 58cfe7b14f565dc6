"""hall backup, wipe the database, hall restore: the served hall shows the same pages (SQLite, or PostgreSQL with HALL_TEST_DB=postgres)."""

from __future__ import annotations

import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

from core.db.backup import sqlite_path
from core.testing import TenantSpec
from core.testing.crash import child_env
from core.testing.databases import pg_admin
from core.testing.served import served_hall
from plugins.notices.tables import Notice

HALL = str(Path(sys.executable).with_name("hall"))
PAGES = ("/t/alpha/notices/", "/t/beta/notices/", "/t/alpha/")
VOLATILE = re.compile(
    r'(name="_csrf_token" value|nonce)="[^"]*"'
)  # per-response tokens; everything else must be identical


def hall_cmd(config: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([HALL, *args], capture_output=True, text=True, env=child_env(HALL_CONFIG=str(config)))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def pages(config: Path) -> dict[str, str]:
    with served_hall(config) as served:
        out = {}
        for path in PAGES:
            status, body = served.get(path)
            assert status == 200, body[-2000:]
            out[path] = VOLATILE.sub(r'\1=""', body)
        return out


def wipe(hall) -> None:
    """The disaster: the database is gone (a new, empty one in its place)."""
    if hall.db.is_sqlite:
        path = sqlite_path(hall)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = hall.db.parsed.postgres_config()["database"]
    pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')


def tables(hall) -> int:
    if hall.db.is_sqlite:
        path = sqlite_path(hall)
        if not path.exists():
            return 0
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    import asyncio

    import asyncpg

    async def count():
        conn = await asyncpg.connect(**hall.db.parsed.postgres_config())
        try:
            return await conn.fetchval("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        finally:
            await conn.close()

    return asyncio.run(count())


def test_backup_wipe_restore_serves_the_same_hall(hall_factory, tmp_path):
    h = hall_factory(
        [TenantSpec("alpha", plugins=["notices"], connector={}), TenantSpec("beta", plugins=["notices"], connector={})]
    )
    titles = {tid: [f"{tid} 通知 {secrets.token_hex(4)}" for _ in range(3)] for tid in ("alpha", "beta")}
    for tid, names in titles.items():
        h.in_tenant(tid, lambda names=names: Notice.insert(*[Notice(title=t, body=f"正文 {t}") for t in names]))
    config = h.hall.settings.config_file
    before = pages(config)
    for tid, names in titles.items():
        assert all(t in before[f"/t/{tid}/notices/"] for t in names)
    assert not any(t in before["/t/alpha/notices/"] for t in titles["beta"])

    archive = tmp_path / "backups" / "hall.backup"
    assert "backed up to" in hall_cmd(config, "backup", "--output", str(archive)).stdout
    wipe(h.hall)
    assert tables(h.hall) == 0

    done = hall_cmd(config, "restore", "--input", str(archive), "--yes")
    assert "restored from" in done.stdout and "hall migrate" in done.stdout
    migrated = hall_cmd(config, "migrate").stdout
    assert (
        "core: 🏁 No migrations need to be run" in migrated and "notices: 🏁 No migrations need to be run" in migrated
    )
    assert pages(config) == before


def test_restore_refuses_what_is_not_a_backup_of_this_engine(hall_factory, tmp_path):
    h = hall_factory([TenantSpec("alpha", connector={})])
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    done = subprocess.run(
        [HALL, "restore", "--input", str(bogus), "--yes"],
        capture_output=True,
        text=True,
        env=child_env(HALL_CONFIG=str(h.hall.settings.config_file)),
    )
    assert done.returncode == 1 and "is not a hall backup" in done.stderr
    other = tmp_path / ("dump.pg" if h.hall.db.is_sqlite else "db.sqlite3")
    other.write_bytes(b"PGDMP\x01\x0e\x00" if h.hall.db.is_sqlite else sqlite3_file(other))
    done = subprocess.run(
        [HALL, "restore", "--input", str(other), "--yes"],
        capture_output=True,
        text=True,
        env=child_env(HALL_CONFIG=str(h.hall.settings.config_file)),
    )
    assert done.returncode == 1 and "backup but this hall's database is" in done.stderr


def sqlite3_file(path: Path) -> bytes:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    return path.read_bytes()
