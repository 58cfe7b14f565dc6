"""The sync page shows the look-back and the last change reconciliation; "data as of" does not claim what a reconciliation disproved."""

from __future__ import annotations

import datetime as dt

from core.db.page_versions import bump_page_version
from core.legacy.tables import ChangeReconcileRun, SyncState
from core.testing import add_operator, make_customer, register_customer

UTC = dt.timezone.utc


def test_the_sync_page_shows_re_reads_and_the_last_full_comparison(hall):
    now = dt.datetime.now(UTC)

    async def setup():
        await SyncState.insert(
            SyncState(
                kind="customers",
                watermark="2026-01-01T00:00:00+00:00|C7",
                reread_last_run=4,
                changed_last_run=1,
                last_success_at=now,
            )
        )
        await ChangeReconcileRun.insert(
            ChangeReconcileRun(
                kind="customers",
                started_at=now - dt.timedelta(minutes=3),
                finished_at=now,
                compared=120,
                changed=2,
                missing=1,
                deleted=0,
                seconds=9,
            )
        )

    hall.in_tenant("alpha", setup)
    add_operator(hall, "alpha", "sync-op", permissions=["core.sync.manage"])
    client = hall.client("alpha")
    client.login_operator("sync-op")
    client.post("/language", {"language": "en", "next": "/console/sync"})
    page = client.get("/console/sync")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert (
        "2026-01-01T00:00:00+00:00|C7" in text
    )  # a connector that cannot read times from its watermark: shown as it is
    assert "4 / 1" in text and "<td>120</td>" in text and "2 / 1 / 0" in text
    assert "repaired 3 rows the sync had missed" in text
    assert "Overdue" not in text  # the fake connector cannot list its rows: nothing is scheduled


def test_data_as_of_shows_the_last_full_check_when_it_found_misses(hall):
    customer = make_customer(72)
    register_customer(hall, "alpha", customer)
    synced = dt.datetime.now(UTC).replace(hour=6, minute=30, second=0, microsecond=0)

    async def check(repaired: int):
        await SyncState.update(
            {
                SyncState.last_success_at: synced,
                SyncState.changes_checked_at: synced - dt.timedelta(hours=4),
                SyncState.changes_repaired: repaired,
            }
        ).where(SyncState.kind == "customers")
        await bump_page_version()  # as the sync and the change reconciliation do with the state they save

    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    hall.in_tenant("alpha", lambda: check(0))
    page = client.get("/account")
    assert (
        "14:30" in page.text and "部分变更较晚" not in page.text
    )  # nothing repaired: the sync's time (06:30 UTC in Shanghai)
    hall.in_tenant("alpha", lambda: check(3))
    page = client.get("/account")
    assert "10:30" in page.text and "14:30" not in page.text and "部分变更较晚" in page.text
