"""``hall sync --reconcile``: the safety valve's refusal exits 2 and names --force; --force goes through; daily jobs are declared."""

from __future__ import annotations

import sqlite3

from billing_support import BillingLegacy
from click.testing import CliRunner

from core.cli import cli
from core.hall import Hall
from core.jobs.spec import all_jobs
from core.testing import TenantSpec, write_hall


def test_hall_sync_reconcile_refuses_then_forced(tmp_path, monkeypatch):
    legacy = BillingLegacy(tmp_path, "haibin", 15, 1)
    config = write_hall(
        tmp_path, [TenantSpec("haibin", connector=legacy.config)], database_url=f"sqlite:///{tmp_path}/hall.sqlite3"
    )
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert runner.invoke(cli, ["sync"]).exit_code == 0
    clean = runner.invoke(cli, ["sync", "--reconcile"])
    assert clean.exit_code == 0 and "haibin: bills: " in clean.output and "0 removed" in clean.output, clean.output
    bills = legacy.count_bills()
    legacy.sql("DELETE FROM ACC_BILL")
    refused = runner.invoke(cli, ["sync", "--reconcile", "--kind", "bills"])
    output = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "REFUSED" in output and "--force" in output, output
    hall_db = sqlite3.connect(tmp_path / "hall.sqlite3")
    try:
        assert hall_db.execute("SELECT COUNT(*) FROM core_bill").fetchone()[0] == bills
        forced = runner.invoke(cli, ["sync", "--reconcile", "--kind", "bills", "--tenant", "haibin", "--force"])
        assert forced.exit_code == 0 and f"{bills} removed" in forced.output, forced.output
        assert hall_db.execute("SELECT COUNT(*) FROM core_bill").fetchone()[0] == 0
    finally:
        hall_db.close()
    assert runner.invoke(cli, ["sync", "--force"]).exit_code == 2  # --force means nothing without --reconcile


def test_housekeeping_jobs_run_daily(tmp_path):
    config = write_hall(tmp_path, [TenantSpec("alpha")], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    jobs = all_jobs(Hall.from_config(config, connect_tenants=False))
    assert jobs["core.reconcile"].cron == jobs["core.purge_old_calls"].cron == "0 */24 * * *"
