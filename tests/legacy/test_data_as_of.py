""" "Data as of …" on synced customer pages: the kind's last successful sync, user's language, tenant's zone, stale warning."""

from __future__ import annotations

import dataclasses
import datetime as dt

from core.config.schema import LegacySection
from core.legacy.tables import SyncState
from core.testing import make_customer, register_customer
from core.web.data_as_of import as_of
from core.db.page_versions import bump_page_version

UTC = dt.timezone.utc


def _set_success(hall, moment: dt.datetime) -> None:
    async def go():
        await SyncState.update({SyncState.last_success_at: moment}).where(SyncState.kind == "customers")
        await bump_page_version()  # as the sync engine does with every state it saves: cached pages go stale

    hall.in_tenant("alpha", go)


def test_account_page_says_when_the_data_was_synced(hall):
    customer = make_customer(71)
    register_customer(hall, "alpha", customer)
    _set_success(hall, dt.datetime.now(UTC).replace(hour=2, minute=5, second=0, microsecond=0))
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    page = client.get("/account")
    assert page.status_code == 200 and "数据更新于" in page.text
    assert "10:05" in page.text  # 02:05 UTC in Asia/Shanghai, the default zone
    assert "可能不是最新的" not in page.text
    _set_success(hall, dt.datetime.now(UTC) - dt.timedelta(hours=30))  # older than stale_after_hours (24)
    page = client.get("/account")
    assert "可能不是最新的" in page.text and "24" in page.text
    client.post("/language", {"language": "en", "next": "/account"})
    page = client.get("/account")
    assert "Data as of" in page.text and "may be out of date" in page.text


def test_nothing_is_claimed_before_a_first_successful_sync(hall):
    customer = make_customer(72)
    register_customer(hall, "alpha", customer)
    _set_success(hall, None)
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    page = client.get("/account")
    assert page.status_code == 200 and "数据更新于" not in page.text


def test_as_of_uses_the_tenant_zone_language_and_threshold(hall):
    tenant = dataclasses.replace(
        hall.tenant("alpha"), timezone="Europe/London", legacy=LegacySection(stale_after_hours=2)
    )
    moment = dt.datetime(2024, 5, 1, 2, 5, tzinfo=UTC)
    en = as_of(tenant, moment, "en", now=moment + dt.timedelta(hours=1))
    zh = as_of(tenant, moment, "zh_CN", now=moment + dt.timedelta(hours=3))
    assert en["text"] == "May 1, 2024 03:05" and not en["stale"]  # British summer time
    assert zh["text"] == "2024年5月1日 03:05" and zh["stale"] and zh["hours"] == 2
    assert en["iso"] == "2024-05-01T03:05+01:00"
