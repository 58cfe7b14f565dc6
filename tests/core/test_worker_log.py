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
    done = subprocess.run([str(Path(sys.executable).with_name("hall")), "worker", "--once"], capture_output=True, text=True,
                          env=child_env(HALL_CONFIG=str(h.hall.settings.config_file)))
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr
    engine = "in-process (SQLite)" if h.hall.db.is_sqlite else "procrastinate (PostgreSQL)"
    start = re.search(r" INFO hall\.worker\[\d+\]: hall worker started: engine (.+?), queue hall, (\d+) job\(s\) \[(.*?)\], "
                      r"2 tenant\(s\) \[alpha, beta\], concurrency 1", log)
    assert start, log[-3000:]
    assert start.group(1) == engine and "core.housekeeping" in start.group(3)
    if h.hall.db.is_sqlite:  # --once on SQLite runs every periodic job once; on PostgreSQL it runs what is queued
        assert re.search(r" INFO hall\.jobs\[\d+\]: job core\.housekeeping started \(every tenant\)", log), log[-3000:]
        assert re.search(r" INFO hall\.jobs\[\d+\]: job core\.housekeeping finished in \d+\.\d{3} s \(every tenant\)", log), log[-3000:]
    assert "hall worker stopped" in log
