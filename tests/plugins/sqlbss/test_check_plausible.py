"""``hall check`` flags converted samples that parse but cannot be right, on both demo legacy systems.

A wrong unit or format often still converts: li read as fen, a month pattern
that lands in 2090, milliseconds read as seconds, the code column mapped as
the name. Each test breaks the mapping or the data in one such way and
expects the problem named by key, ``table.column`` and an example; the clean
databases report nothing (test_check_samples.py).
"""

from __future__ import annotations

import datetime as dt

from core.api.legacy import LegacyBill, LegacyBillItem
from plugins.sqlbss.check_plausible import bill_problems, named_by_code


def _latest_call_table(billing) -> str:
    c = billing.config["calls"]
    return (
        c.get("table")
        or billing.sql("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY name DESC LIMIT 1")[0][0]
    )


async def _problems(connector) -> dict[str, str]:
    return {i.key: i.reason for i in await connector.problems()}


async def test_items_that_sum_to_a_power_of_ten_of_their_bill(billing):
    """Items kept in jiao while the bill is in the mapped unit (or the other way round): every value still parses."""
    i, b = billing.config["bill_items"], billing.config["bills"]
    ten_times = f"printf('%.2f', {i['amount']} * 10)" if billing.style == "jiangnan" else f"{i['amount']} * 10"
    billing.sql(f"UPDATE {i['table']} SET {i['amount']} = {ten_times}")
    reason = (await _problems(billing.connect()))["connector.bill_items.amount_format"]
    assert "items sum to 10x the bill amount" in reason, reason
    assert f"{i['table']}.{i['amount']}" in reason and f"{b['table']}.{b['amount']}" in reason
    assert "e.g. bill '" in reason and "is amount_format right" in reason


async def test_months_far_in_the_future(billing):
    b = billing.config["bills"]
    billing.sql(f"UPDATE {b['table']} SET {b['month']} = '209001'")
    reason = (await _problems(billing.connect()))["connector.bills.month_format"]
    assert "over a year ahead" in reason and "2090-01" in reason and f"{b['table']}.{b['month']}" in reason, reason


async def test_calls_that_last_for_weeks_and_start_far_ahead(billing):
    c, table = billing.config["calls"], _latest_call_table(billing)
    billing.sql(f"UPDATE {table} SET {c['duration']} = {c['duration']} * 1000 + 100000")
    billing.sql(f"UPDATE {table} SET {c['started']} = '2095' || substr({c['started']}, 5)")
    found = await _problems(billing.connect())
    assert f"in {table}.{c['duration']}: is it in seconds" in found["connector.calls.duration"]
    reason = found["connector.calls.started_format"]
    assert "2095-" in reason and f"{table}.{c['started']}" in reason, reason


async def test_names_that_are_codes(make_billing):
    billing = make_billing("jiangnan")
    c, i = billing.config["customers"], billing.config["bill_items"]
    found = await _problems(billing.connect(customers={"name": c["key"]}, bill_items={"name": i["code"]}))
    assert "customers are named by their code, e.g. 'JN" in found["connector.customers.name"]
    assert f"{c['table']}.{c['key']}" in found["connector.customers.name"]
    reason = found["connector.bill_items.name"]
    assert "items are named by their code" in reason and f"{i['table']}.{i['code']}" in reason, reason
    assert "lookup" in reason and "name_map" in reason
    # a code with a name in name_map is not a code shown to customers
    names = {code: "x" for (code,) in billing.sql(f"SELECT DISTINCT {i['code']} FROM {i['table']}")}
    found = await _problems(billing.connect(bill_items={"name": i["code"], "name_map": names}))
    assert "connector.bill_items.name" not in found


def test_one_odd_row_is_data_most_rows_are_the_mapping():
    bills = [
        LegacyBill(str(n), "1380000000", "2024-04", 1000, items=(LegacyBillItem("YZF", "月租", 1000),))
        for n in range(9)
    ]
    odd = LegacyBill("9", "1380000000", "2090-04", 1000, items=(LegacyBillItem("YZF", "YZF", 10000),))

    class Mapping:
        tz = dt.timezone.utc
        bills = type("B", (), {"amount_format": "fen_int", "month_format": "text:%Y%m"})
        bill_items = type("I", (), {"amount_format": "fen_int", "name_map": {}})

    s = type("S", (), {"cols": {"month": None, "amount": None}, "item_cols": {"amount": None, "name": None}})
    now = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    assert bill_problems(Mapping, s, [*bills, odd], "t.toml", now=now) == []
    assert named_by_code([("YZF", "YZF"), ("月租", "YZF")], "k", None, "items", "t.toml") == []
    assert named_by_code([("YZF", "YZF"), ("SWF", "SWF"), ("月租", "YZF")], "k", None, "items", "t.toml")
