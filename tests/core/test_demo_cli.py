"""``hall demo --no-serve`` keeps the Alipay sandbox and the mail sink running for a hall served by hand; ``--prepare-only`` starts nothing."""

from __future__ import annotations

import shutil
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

from core.testing.crash import REPO, child_env
from core.testing.databases import create_scratch_database, drop_database, engine_under_test, pg_url_for
from core.testing.mail import free_port
from core.testing.served import stop, wait_for

HALL = str(Path(sys.executable).with_name("hall"))
SETUP = 600.0  # seconds: generating and syncing the demo data on a loaded machine (a safety net)


def demo_folder(root: Path) -> tuple[Path, int]:
    """The repository's hall.toml and demo tenants, with the sandbox on a free port (8020 may be taken by a running demo)."""
    shutil.copy(REPO / "hall.toml", root / "hall.toml")
    shutil.copytree(REPO / "tenants", root / "tenants")
    sandbox = free_port()
    for tenant in (root / "tenants").glob("*/tenant.toml"):
        tenant.write_text(
            tenant.read_text(encoding="utf-8").replace("127.0.0.1:8020", f"127.0.0.1:{sandbox}"), encoding="utf-8"
        )
    return root / "hall.toml", sandbox


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_no_serve_runs_the_sandbox_and_the_mail_sink_until_interrupted(tmp_path):
    """On SQLite (the repository's hall.toml), or with HALL_TEST_DB=postgres on a scratch PostgreSQL database named by HALL_DATABASE__URL."""
    import asyncio

    config, sandbox = demo_folder(tmp_path)
    mail = free_port()
    env = child_env(HALL_CONFIG=str(config), HALL_MAIL__PORT=str(mail), HALL_HALL__THEMES_DIR=str(REPO / "themes"))
    database = asyncio.run(create_scratch_database("hall_demo")) if engine_under_test() == "postgres" else None
    if database:
        env["HALL_DATABASE__URL"] = pg_url_for(database)
    try:
        run_demo(tmp_path, env, mail, sandbox, "PostgreSQL" if database else "embedded SQLite")
    finally:
        if database:
            asyncio.run(drop_database(database))


def run_demo(tmp_path: Path, env: dict, mail: int, sandbox: int, engine: str) -> None:

    prepared = subprocess.run(
        [HALL, "demo", "--prepare-only", "--subscribers", "20"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert prepared.returncode == 0, prepared.stdout[-3000:] + prepared.stderr[-3000:]
    assert "Demo hall ready." in prepared.stdout and f"database: {engine}" in prepared.stdout
    assert not listening(mail) and not listening(sandbox)  # --prepare-only starts nothing

    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [HALL, "demo", "--no-serve", "--subscribers", "20"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: proc.poll() is not None or "Ctrl-C stops them" in log.read_text(),
                "the demo services",
                timeout=SETUP,
                every=0.5,
            )
            assert proc.poll() is None, log.read_text()[-3000:]
            assert listening(sandbox), log.read_text()[-3000:]
            with smtplib.SMTP("127.0.0.1", mail, timeout=10) as smtp:
                smtp.sendmail(
                    "hall@example.cn", ["kefu@example.cn"], "Subject: ping\r\n\r\nhello from the test, code 246810\r\n"
                )
            wait_for(
                lambda: "Mail to kefu@example.cn: ping" in log.read_text(),
                "the mail sink printing the message (one line a mail)",
            )
            assert (
                "Mail to kefu@example.cn: ping  (code 246810)" in log.read_text()
            )  # one line a mail, its code plainly
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        finally:
            stop(proc)
    assert not listening(mail) and not listening(sandbox)
