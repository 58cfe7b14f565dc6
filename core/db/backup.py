"""Back up and restore the hall's own database: ``pg_dump``/``pg_restore`` on PostgreSQL, SQLite's online backup API.

What a backup holds: every table of the hall's database - customers, accounts,
sessions, bills and call records synced so far, payments, the outboxes, audit
log, plugins' tables and (PostgreSQL) procrastinate's job queue. What it does
not hold: the deployment's files (hall.toml, tenants/, themes/, the secrets
file), which belong in configuration management, and the legacy systems'
data. The secret key must survive with the backup: ID numbers are stored as
hashes keyed with it, so a restore under another key cannot match customers.

A backup is a single file. Its first bytes say what it is (``PGDMP``: a
``pg_dump --format=custom`` archive; ``SQLite format 3``: a database file),
and a restore refuses a file of the other engine.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Something an operator must fix (a missing tool, a version mismatch, the wrong file); the message says what."""


def sqlite_path(hall) -> Path:
    path = Path(hall.db.parsed.path)
    return path if path.is_absolute() else hall.root / path


def _pg_target(url: str) -> tuple[str, dict]:
    """The URL without its password (no password on a command line, where `ps` shows it), and the environment carrying it."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc[1]}")
    return urlunsplit(parts), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client-<server major version>)")
    return found


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(match.group(1))


def _check_client(tool: str, server_major: int) -> None:
    """pg_dump refuses (or worse, half-works on) a newer server: say so plainly before starting."""
    client = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    client_major = _major(client)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    if client_major < server_major:
        raise BackupError(
            f"{Path(tool).name} is version {client_major} but the server is PostgreSQL {server_major}: "
            f"install postgresql-client-{server_major}"
        )


def _run(argv: list[str], env: dict) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


async def _server_major() -> int:
    from core.db.engine import fetch

    rows = await fetch("SHOW server_version_num")
    return int(rows[0]["server_version_num"]) // 10000


async def backup(hall, output: Path) -> str:
    """Write a backup of the hall's database to ``output``; returns a one-line description. Safe while the hall runs."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    if hall.db.is_sqlite:
        source = sqlite_path(hall)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)  # a consistent snapshot even while web workers write (SQLite's online backup)
        src.close()
        dst.close()
        kind = f"SQLite database {source}"
    else:
        tool = _tool("pg_dump")
        _check_client(tool, await _server_major())
        url, env = _pg_target(hall.db.url)
        _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={url}"], env)
        kind = f"PostgreSQL database {urlsplit(url).path.lstrip('/')} (pg_dump custom format)"
    partial.replace(output)  # only a finished backup carries the name
    return f"{kind} backed up to {output} ({output.stat().st_size:,} bytes)"


def backup_kind(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is not a hall backup (neither a pg_dump custom archive nor an SQLite database)")


async def restore(hall, source: Path) -> str:
    """Replace the hall's database with the backup ``source``. Stop the web and job workers first."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    kind, engine = backup_kind(source), ("sqlite" if hall.db.is_sqlite else "postgresql")
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup but this hall's database is {engine}")
    if hall.db.is_sqlite:
        target = sqlite_path(hall)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)  # page by page into the live file: its WAL and readers stay consistent
        src.close()
        dst.close()
        return f"SQLite database {target} restored from {source}"
    tool = _tool("pg_restore")
    _check_client(tool, await _server_major())
    url, env = _pg_target(hall.db.url)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(source),
        ],
        env,
    )
    return f"PostgreSQL database {urlsplit(url).path.lstrip('/')} restored from {source}"
