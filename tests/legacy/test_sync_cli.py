"""``hall sync``: every tenant and kind, a progress bar, and a failing tenant does not stop the others."""

from __future__ import annotations

import sqlite3

from billing_support import BillingLegacy, full_config
from click.testing import CliRunner

from core.cli import cli
from core.testing import TenantSpec, write_hall


def test_hall_sync_continues_past_a_failing_tenant(tmp_path, monkeypatch):
    legacy = BillingLegacy(tmp_path, "haibin", 15, 2)
    broken = {**full_config("jiangnan"), "url": "sqlite:///var/missing.sqlite3"}
    config = write_hall(
        tmp_path,
        [TenantSpec("broken", connector=broken), TenantSpec("haibin", connector=legacy.config)],
        database_url=f"sqlite:///{tmp_path}/hall.sqlite3",
    )
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")  # rich would wrap long lines
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    result = runner.invoke(cli, ["sync"])
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    assert "broken: sync failed" in output and "missing.sqlite3 does not exist" in output
    assert f"haibin: calls: {legacy.count_calls()} fetched" in output
    assert f"haibin: bills: {legacy.count_bills()} fetched" in output
    again = runner.invoke(cli, ["sync", "--tenant", "haibin", "--kind", "calls"])
    assert again.exit_code == 0 and "haibin: calls: 0 fetched" in again.output, again.output
    hall_db = sqlite3.connect(tmp_path / "hall.sqlite3")
    try:
        assert (
            hall_db.execute("SELECT COUNT(*) FROM core_call_record WHERE tenant = 'haibin'").fetchone()[0]
            == legacy.count_calls()
        )
    finally:
        hall_db.close()
