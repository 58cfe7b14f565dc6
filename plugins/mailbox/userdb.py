"""Dovecot's passwd-file for one mail domain, written by the hall from its Mailbox rows.

The whole file is rebuilt from the database and put in place with an atomic
rename, under an exclusive lock file, so a reader never sees half a file and
two writers never interleave: whatever order they run in, the last one writes
what the database holds then. Dovecot's passwd-file driver notices the new
file (its mtime) on the next log-in. A suspended mailbox stays in the file with
``nologin`` (its mail and quota stay visible to ``doveadm``; IMAP log-in fails);
a stopped one is left out (log-in fails; its mail stays on disk until removed).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

USERDB_FIELDS_FORBIDDEN = set(":\n\r\t ")


def users_file(settings) -> Path:
    return Path(settings.users_dir) / f"{settings.domain}.passwd"


def home_of(settings, local_part: str) -> Path:
    return Path(settings.mail_root) / settings.domain / local_part


def sieve_file(settings, local_part: str) -> Path:
    return Path(settings.users_dir) / "sieve" / settings.domain / f"{local_part}.sieve"


def line_of(settings, box: dict) -> str:
    """One passwd-file line: user:password:uid:gid:gecos:home:shell:extra fields."""
    for value in (box["address"], box["password_hash"]):
        if USERDB_FIELDS_FORBIDDEN & set(value):
            raise ValueError(f"mailbox {box['address']!r}: a field holds a separator")
    extra = [f"userdb_quota_rule=*:storage={int(box['quota_mb'])}M"]
    if box["forward_to"]:
        extra.append(f"userdb_sieve=file:{sieve_file(settings, box['local_part'])}")
    if box["state"] == "suspended":
        extra += ["nologin=y", "reason=Suspended"]
    home = home_of(settings, box["local_part"])
    uid, gid = mail_owner(settings)
    return f"{box['address']}:{box['password_hash']}:{uid}:{gid}::{home}::{' '.join(extra)}"


def mail_owner(settings) -> tuple[int, int]:
    """(uid, gid) of the mail files: the settings', else the hall's own (nobody's when it runs as root)."""
    from .server import mail_ids

    auto = mail_ids()
    return settings.mail_uid or auto[0], settings.mail_gid or settings.mail_uid or auto[1]


def _write(settings, rows: list[dict]) -> None:
    folder = Path(settings.users_dir)
    if not folder.is_dir():
        raise OSError(f"the users directory {folder} does not exist (is the mail server's share mounted?)")
    text = "".join(line_of(settings, r) + "\n" for r in sorted(rows, key=lambda r: r["address"]))
    target = users_file(settings)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{settings.domain}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o640)
        _newer_than(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _newer_than(new: str, old: Path) -> None:
    """Give the new file a whole second later than the old one: Dovecot re-reads a passwd-file when its mtime
    (in seconds) or its size changes, and a new password's hash has the same size as the old one."""
    try:
        before = int(old.stat().st_mtime)
    except FileNotFoundError:
        return
    stamp = max(int(time.time()), before + 1)
    os.utime(new, (stamp, stamp))


def _write_sieve(settings, rows: list[dict]) -> None:
    """The forwarding rule of each mailbox as a Sieve script (used when Pigeonhole delivers; docs/mailbox.md)."""
    for r in rows:
        path = sieve_file(settings, r["local_part"])
        if r["forward_to"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'require ["copy"];\nredirect :copy "{r["forward_to"]}";\n', encoding="utf-8")
        else:
            path.unlink(missing_ok=True)


def write_locked(settings, load_rows) -> int:
    """Under the domain's lock: ``load_rows()`` (the rows to publish), then the file; returns how many lines."""
    folder = Path(settings.users_dir)
    if not folder.is_dir():
        raise OSError(f"the users directory {folder} does not exist (is the mail server's share mounted?)")
    with open(folder / f".{settings.domain}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            rows = load_rows()
            _write(settings, rows)
            _write_sieve(settings, rows)
            return len(rows)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def publish(settings, load_rows_async) -> int:
    """Rebuild the domain's passwd-file from the rows ``load_rows_async()`` gives (read while the lock is held)."""
    loop = asyncio.get_running_loop()

    def load():
        return asyncio.run_coroutine_threadsafe(load_rows_async(), loop).result(timeout=60)

    return await asyncio.to_thread(write_locked, settings, load)


def reachable(host: str, port: int, timeout: float = 3.0) -> bool:
    """Whether something accepts connections on the IMAP port (the mail server is up)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def remove_mail(settings, local_part: str) -> bool:
    """Delete a stopped mailbox's mail (its home under mail_root); False when there was none."""
    home = home_of(settings, local_part)
    root = (Path(settings.mail_root) / settings.domain).resolve()
    if not local_part or home.resolve().parent != root:
        raise ValueError(f"refusing to remove {home}: not a mailbox under {root}")
    if not home.exists():
        return False
    shutil.rmtree(home)
    return True
