"""``check()`` compares the bill and call-record mapping with the live legacy database: names, values, codes."""

from __future__ import annotations

import pytest

from core.config import ConfigError
from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Quarantine
from core.tenancy import tenant_scope


async def test_the_documented_mapping_checks_clean(billing):
    assert await billing.connector.problems() == []


async def test_unknown_column_is_named(billing):
    connector = billing.connect(bills={"amount": "TOTAL_X"})
    [issue] = await connector.problems()
    table = billing.config["bills"]["table"]
    assert issue.file == str(billing.tenant_file) and issue.key == "connector.bills.amount"
    assert f"column 'TOTAL_X' not found in table {table}" in issue.reason
    with pytest.raises(ConfigError):  # the sync path reports the same
        await connector.bills_changed_since("", 10)


async def test_unknown_table_is_named(billing):
    connector = billing.connect(bill_items={"table": "NO_ITEMS"})
    [issue] = await connector.problems()
    assert issue.key == "connector.bill_items.table" and "'NO_ITEMS' not found" in issue.reason


async def test_call_table_pattern_matching_nothing(make_billing):
    legacy = make_billing("jiangnan")
    connector = legacy.connect(calls={"table_pattern": "CDR_{yyyymm}"})
    [issue] = await connector.problems()
    assert issue.key == "connector.calls.table_pattern" and "no table matches 'CDR_{yyyymm}'" in issue.reason
    assert "HD_202405" in issue.reason  # lists what exists


@pytest.mark.parametrize(
    "style, section, change, key, where, value",
    [
        (
            "jiangnan",
            "bills",
            {"amount_format": "fen_int"},
            "connector.bills.amount_format",
            "ZD_ZDXX.ZJE",
            r"'\d+\.\d\d'",
        ),
        ("haibin", "bills", {"amount_format": "yuan_text"}, "connector.bills.amount_format", "ACC_BILL.AMOUNT", r"\d+"),
        (
            "haibin",
            "calls",
            {"started_format": "epoch"},
            "connector.calls.started_format",
            "BIL_CDR.START_TIME",
            r"'2024-0\d-\d\d ",
        ),
        (
            "jiangnan",
            "bills",
            {"due_format": "text:%Y-%m-%d"},
            "connector.bills.due_format",
            "ZD_ZDXX.JFRQ",
            r"'2024\d{4}'",
        ),
    ],
)
async def test_unparseable_value_is_shown(hall_db, make_billing, style, section, change, key, where, value):
    import re

    legacy = make_billing(style)
    connector = legacy.connect(**{section: change})
    [issue] = await connector.problems()
    assert issue.file == str(legacy.tenant_file) and issue.key == key
    assert re.search(rf"value {value}.* in {re.escape(where)} does not parse as", issue.reason), issue.reason
    # the sync names the same (with the tenant file) and quarantines rather than dropping
    result = await sync_billing(legacy.tenant, connector, "calls" if section == "calls" else "bills", batch_size=500)
    assert result.quarantined == result.fetched > 0
    assert all(str(legacy.tenant_file) in r.reason and key in r.reason and where in r.reason for r in result.rejected)
    with tenant_scope(legacy.tenant):
        assert await Quarantine.count() == result.fetched


async def test_unmapped_codes_are_listed(billing):
    calls = dict(billing.config["calls"]["call_type_map"])
    dropped = {"jiangnan": "3", "haibin": "IDD"}[billing.style]
    del calls[dropped]
    bills = dict(billing.config["bills"]["status_map"])
    del bills[{"jiangnan": "Y", "haibin": "1"}[billing.style]]
    connector = billing.connect(calls={"call_type_map": calls}, bills={"status_map": bills})
    found = {i.key: i.reason for i in await connector.problems()}
    assert f"{dropped!r}" in found["connector.calls.call_type_map"]
    assert "connector.bills.status_map" in found


async def test_a_watermark_of_another_mapping_is_refused(billing):
    from plugins.sqlbss.markers import WatermarkError

    batch = await billing.connector.bills_changed_since("", 5)
    with pytest.raises(WatermarkError, match="run a full sync"):
        await billing.connector.calls_after(batch.watermark, 5)
