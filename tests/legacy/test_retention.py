"""Call-record retention: the [legacy] setting (bounds-checked), calendar months in the tenant's zone, chunked deletes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from legacy_support import make_tenant

from core.config import ConfigError
from core.config.schema import LegacySection
from core.hall import Hall
from core.legacy.billing_tables import CallRecord
from core.legacy.retention import months_back, purge_old_calls, retention_cutoff
from core.testing import TenantSpec, write_hall
from core.tenancy import tenant_scope

UTC = dt.timezone.utc


def test_months_back_keeps_the_local_time_and_clamps_the_day():
    assert months_back(dt.datetime(2024, 8, 31, 10, 0), 6) == dt.datetime(2024, 2, 29, 10, 0)
    assert months_back(dt.datetime(2024, 3, 15), 3) == dt.datetime(2023, 12, 15)
    assert months_back(dt.datetime(2024, 1, 1), 12) == dt.datetime(2023, 1, 1)


def test_cutoff_counts_months_in_the_tenant_zone(tmp_path):
    tenant = dataclasses.replace(make_tenant("ret", tmp_path / "ret"), legacy=LegacySection(call_retention_months=6))
    # 2024-09-01 00:30 in Shanghai is still August 31st in UTC: the cutoff is Shanghai's March 1st, 00:30
    cutoff = retention_cutoff(tenant, dt.datetime(2024, 8, 31, 16, 30, tzinfo=UTC))
    assert cutoff == dt.datetime(2024, 2, 29, 16, 30, tzinfo=UTC)
    assert (
        retention_cutoff(make_tenant("dflt", tmp_path / "dflt"), dt.datetime(2024, 8, 1, tzinfo=UTC)).month == 2
    )  # default 6


@pytest.mark.usefixtures("hall_db")
async def test_old_call_records_are_deleted_in_chunks(tmp_path):
    tenant = dataclasses.replace(make_tenant("ret", tmp_path / "ret"), legacy=LegacySection(call_retention_months=2))
    other = make_tenant("keep", tmp_path / "keep")
    now = dt.datetime(2024, 6, 15, 4, 0, tzinfo=UTC)
    starts = [now - dt.timedelta(days=d) for d in (1, 30, 59, 62, 90, 200, 400)]
    for t in (tenant, other):
        with tenant_scope(t):
            await CallRecord.insert(
                *(CallRecord(legacy_id=f"c{i}", number="13800000000", started_at=s) for i, s in enumerate(starts))
            )
    assert await purge_old_calls(tenant, now=now, chunk=2) == 4
    with tenant_scope(tenant):
        left = sorted(r["legacy_id"] for r in await CallRecord.select(CallRecord.legacy_id))
    assert left == ["c0", "c1", "c2"]
    with tenant_scope(other):
        assert await CallRecord.count() == len(starts)  # another tenant's records are not touched
    assert await purge_old_calls(tenant, now=now) == 0  # idempotent


@pytest.mark.parametrize(
    "line, reason",
    [
        ("call_retention_months = 0", "legacy.call_retention_months"),
        ("call_retention_months = 61", "legacy.call_retention_months"),
        ("reconcile_max_share = 0", "legacy.reconcile_max_share"),
        ("stale_after_hours = -1", "legacy.stale_after_hours"),
    ],
)
def test_legacy_settings_are_bounds_checked(tmp_path, line, reason):
    config = write_hall(tmp_path, [TenantSpec("alpha", connector={})], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    tenant_file = tmp_path / "tenants" / "alpha" / "tenant.toml"
    tenant_file.write_text(tenant_file.read_text(encoding="utf-8") + f"\n[legacy]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, connect_tenants=False)
    issues = [str(i) for i in exc.value.issues]
    assert any(i.startswith(f"{tenant_file}: {reason}: ") for i in issues), issues


def test_tenant_settings_reach_the_tenant(tmp_path):
    config = write_hall(tmp_path, [TenantSpec("alpha", connector={})], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    tenant_file = tmp_path / "tenants" / "alpha" / "tenant.toml"
    text = tenant_file.read_text(encoding="utf-8").replace("[tenant]\n", '[tenant]\ntimezone = "Asia/Urumqi"\n', 1)
    tenant_file.write_text(text + "\n[legacy]\ncall_retention_months = 3\n", encoding="utf-8")
    tenant = Hall.from_config(config, connect_tenants=False).tenants.get("alpha")
    assert tenant.legacy.call_retention_months == 3 and tenant.timezone == "Asia/Urumqi"
    tenant_file.write_text(text.replace("Asia/Urumqi", "Mars/Olympus"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, connect_tenants=False)
    assert any(
        str(i).startswith(f"{tenant_file}: tenant.timezone: ") and "Mars/Olympus" in str(i) for i in exc.value.issues
    )
