"""``hall worker`` says on stderr that it started (engine, jobs, tenants, concurrency), and each job's start and end with its duration."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from core.testing import TenantSpec
from core.testing.crash import child_env


def test_hall_worker_logs_its_start_and_every_job(hall_factory):
    h = hall_factory([TenantSpec("alpha", connector={}), TenantSpec("beta", connector={})])
    done = subprocess.run(
        [str(Path(sys.executable).with_name("hall")), "worker", "--once"],
        capture_output=True,
        text=True,
        env=child_env(HALL_CONFIG=str(h.hall.settings.config_file)),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr
    engine = "in-process (SQLite)" if h.hall.db.is_sqlite else "procrastinate (PostgreSQL)"
    start = re.search(
        r" INFO hall\.worker\[\d+\]: hall worker started: engine (.+?), queue hall, (\d+) job\(s\) \[(.*?)\], "
        r"2 tenant\(s\) \[alpha, beta\], concurrency 1",
        log,
    )
    assert start, log[-3000:]
    assert start.group(1) == engine and "core.housekeeping" in start.group(3)
    if h.hall.db.is_sqlite:  # --once on SQLite runs every periodic job once; on PostgreSQL it runs what is queued
        assert re.search(r" INFO hall\.jobs\[\d+\]: job core\.housekeeping started \(every tenant\)", log), log[-3000:]
        assert re.search(
            r" INFO hall\.jobs\[\d+\]: job core\.housekeeping finished in \d+\.\d{3} s \(every tenant\)", log
        ), log[-3000:]
    assert "hall worker stopped" in log


def test_log_lines_mask_id_numbers_whichever_logger_writes_them():
    """The handlers of core.logs mask ID numbers, also for child loggers (a root logger's own filter would miss them)."""
    code = (
        "import logging; from core.logs import configure; configure(); "
        "logging.getLogger('hall.anything').warning('customer %s signed up', '110101199003077777')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env())
    assert done.returncode == 0, done.stderr
    assert "WARNING hall.anything[" in done.stderr and "signed up" in done.stderr
    assert "110101199003077777" not in done.stderr


def test_stalled_after_must_outlast_a_few_heartbeats(tmp_path):
    import pytest

    from core.config import ConfigError
    from core.hall import Hall
    from core.testing import write_hall

    config = write_hall(
        tmp_path / "hall",
        [TenantSpec("alpha", connector={})],
        database_url="sqlite:///hall.sqlite3",
        deployment={"jobs": {"heartbeat_seconds": 10, "stalled_after_seconds": 20}},
    )
    with pytest.raises(ConfigError) as caught:
        Hall.from_config(config)
    assert any(
        "stalled_after_seconds must be at least 3 x heartbeat_seconds" in issue.reason for issue in caught.value.issues
    )
