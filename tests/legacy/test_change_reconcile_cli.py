"""``hall sync reconcile`` runs the change reconciliation now; the hourly job runs it only when due."""

from __future__ import annotations

import sqlite3

from billing_support import BillingLegacy
from click.testing import CliRunner

from core.cli import cli
from core.hall import Hall
from core.jobs.spec import all_jobs
from core.testing import TenantSpec, write_hall


def test_hall_sync_reconcile_repairs_and_says_what(tmp_path, monkeypatch):
    legacy = BillingLegacy(tmp_path, "haibin", 15, 1)
    config = write_hall(
        tmp_path, [TenantSpec("haibin", connector=legacy.config)], database_url=f"sqlite:///{tmp_path}/hall.sqlite3"
    )
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert runner.invoke(cli, ["sync", "--tenant", "haibin"]).exit_code == 0  # `hall sync` still syncs
    (bill,) = legacy.sql("SELECT BILL_ID FROM ACC_BILL WHERE PAY_STATE = 0 ORDER BY BILL_ID LIMIT 1")[0]
    newest = legacy.sql("SELECT MAX(UPD_TS) FROM ACC_BILL")[0][0]
    legacy.sql(
        "UPDATE ACC_BILL SET PAID = AMOUNT, PAY_STATE = 1, UPD_TS = ? WHERE BILL_ID = ?", newest - 6 * 3600, bill
    )
    result = runner.invoke(cli, ["sync", "reconcile", "--tenant", "haibin", "--kind", "bills"])
    output = " ".join(result.output.split())
    assert result.exit_code == 0, output
    assert f"haibin: bills: {legacy.count_bills()} compared, 1 repaired (1 changed, 0 missing, 0 deleted)" in output, (
        output
    )
    hall_db = sqlite3.connect(tmp_path / "hall.sqlite3")
    try:
        assert hall_db.execute("SELECT status FROM core_bill WHERE legacy_id = ?", (str(bill),)).fetchone()[0] == "paid"
        runs = hall_db.execute(
            "SELECT kind, changed, finished_at IS NOT NULL FROM core_change_reconcile_run"
        ).fetchall()
        assert runs == [("bills", 1, 1)]
    finally:
        hall_db.close()
    everything = runner.invoke(cli, ["sync", "reconcile"])  # the tenant's change_check_kinds: customers and bills
    output = " ".join(everything.output.split())
    assert (
        everything.exit_code == 0
        and "haibin: customers: " in output
        and "haibin: bills: " in output
        and "0 repaired" in output
    ), output
    assert runner.invoke(cli, ["sync", "reconcile", "--tenant", "nosuch"]).exit_code == 2


def test_the_change_reconciliation_is_an_hourly_job(tmp_path):
    config = write_hall(tmp_path, [TenantSpec("alpha")], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    jobs = all_jobs(Hall.from_config(config, connect_tenants=False))
    assert (
        jobs["core.reconcile_changes"].cron == "0 */1 * * *"
    )  # each run checks which kinds are due (test_change_reconcile.py)
