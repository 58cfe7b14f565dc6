"""``hall check`` samples the legacy data: keys that repeat, unmapped codes, values that do not parse, bills with no line.

Each test starts from a clean demo legacy database (both styles), corrupts it
with SQL and expects the problem named by tenant file, mapping key,
``table.column`` and an example value.
"""

from __future__ import annotations

import pytest

from plugins.sqlbss.check_keys import shown

NO_LINE = "19999999999"


def _columns(billing, section: str) -> dict:
    return billing.config[section]


def _drop_constraints(billing, table: str) -> None:
    """Rebuild ``table`` without its primary key, as a legacy table without one would be."""
    billing.sql(f"CREATE TABLE {table}_COPY AS SELECT * FROM {table}")
    billing.sql(f"DROP TABLE {table}")
    billing.sql(f"ALTER TABLE {table}_COPY RENAME TO {table}")


def _latest_bill(billing, offset: int = 0):
    b = _columns(billing, "bills")
    return billing.sql(f"SELECT {b['key']} FROM {b['table']} ORDER BY {b['changed']} DESC LIMIT 1 OFFSET {offset}")[0][0]


def _set_on_bill(billing, role: str, value, bill) -> None:
    b = _columns(billing, "bills")
    billing.sql(f"UPDATE {b['table']} SET {b[role]} = ? WHERE {b['key']} = ?", value, bill)


async def _problems(billing) -> dict[str, str]:
    issues = await billing.connect().problems()
    assert all(i.file == str(billing.tenant_file) for i in issues)
    return {i.key: i.reason for i in issues}


async def test_the_clean_demo_database_has_no_problems(billing):
    assert await billing.connector.problems() == []


async def test_a_bill_key_that_repeats_is_named(billing):
    b = _columns(billing, "bills")
    _drop_constraints(billing, b["table"])
    bill = _latest_bill(billing, 3)
    billing.sql(f"INSERT INTO {b['table']} SELECT * FROM {b['table']} WHERE {b['key']} = ?", bill)
    found = await _problems(billing)
    reason = found["connector.bills.key"]
    assert f"{b['table']}.{b['key']}" in reason and f"'{bill}' occurs on 2 rows" in reason, reason


async def test_a_customer_key_that_repeats_is_named(billing):
    c = _columns(billing, "customers")
    _drop_constraints(billing, c["table"])
    keys = [c["key"]] if isinstance(c["key"], str) else c["key"]
    billing.sql(f"INSERT INTO {c['table']} SELECT * FROM {c['table']} LIMIT 1")
    first = billing.sql(f"SELECT {', '.join(keys)} FROM {c['table']} LIMIT 1")[0]
    reason = (await _problems(billing))["connector.customers.key"]
    assert ", ".join(f"{c['table']}.{k}" for k in keys) in reason, reason
    assert repr("-".join(str(v) for v in first)) in reason, reason


async def test_an_unknown_bill_status_is_named(billing):
    _set_on_bill(billing, "status", "Q9", _latest_bill(billing, 5))
    b = _columns(billing, "bills")
    reason = (await _problems(billing))["connector.bills.status_map"]
    assert "'Q9'" in reason and f"{b['table']}.{b['status']}" in reason, reason


async def test_money_and_time_that_do_not_parse_are_both_named(billing):
    b = _columns(billing, "bills")
    _set_on_bill(billing, "amount", "abc", _latest_bill(billing))
    _set_on_bill(billing, "month", "2024-13", _latest_bill(billing, 1))
    found = await _problems(billing)
    assert f"value 'abc' in {b['table']}.{b['amount']} does not parse" in found["connector.bills.amount_format"]
    assert f"value '2024-13' in {b['table']}.{b['month']} does not parse" in found["connector.bills.month_format"]


async def test_a_call_start_time_that_does_not_parse_is_named(billing):
    c = _columns(billing, "calls")
    table = c.get("table") or billing.sql("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY name DESC LIMIT 1")[0][0]
    billing.sql(f"UPDATE {table} SET {c['started']} = 'yesterday' WHERE {c['key']} = (SELECT MAX({c['key']}) FROM {table})")
    reason = (await _problems(billing))["connector.calls.started_format"]
    assert f"value 'yesterday' in {table}.{c['started']} does not parse" in reason, reason


async def test_bills_for_a_number_with_no_line_are_counted(billing):
    b, n = _columns(billing, "bills"), _columns(billing, "numbers")
    _set_on_bill(billing, "number", NO_LINE, _latest_bill(billing, 2))
    _set_on_bill(billing, "number", NO_LINE, _latest_bill(billing, 7))
    reason = (await _problems(billing))["connector.bills.number"]
    assert reason.startswith("2 of the latest ") and f"{b['table']}.{b['number']}" in reason, reason
    assert f"{n['table']}.{n['number']}" in reason and f"e.g. '{NO_LINE}'" in reason, reason


async def test_padded_numbers_still_match_their_line(billing):
    b = _columns(billing, "bills")
    bill = _latest_bill(billing)
    number = billing.sql(f"SELECT {b['number']} FROM {b['table']} WHERE {b['key']} = ?", bill)[0][0]
    _set_on_bill(billing, "number", number + "   ", bill)
    assert "connector.bills.number" not in await _problems(billing)


@pytest.mark.parametrize("value, expected", [
    ("330106199001011234", "'330106********1234'"),
    ("33010619900101X", "'33010619900101X'"),
    ("JN00000001  ", "'JN00000001'"),
    (17, "'17'"),
])
def test_example_values_mask_id_numbers(value, expected):
    assert shown(value) == expected
