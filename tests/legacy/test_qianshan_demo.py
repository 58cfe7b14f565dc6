"""The qianshan demo BSS (core/demo/qianshan.py): deterministic, the same rows on every engine, and shaped like a real one.

The shape is what makes it a test of the mapping: bills per account whose
items add up, payments in yuan matching the paid bills, li everywhere else,
monthly call tables with header and trailer rows whose charges are the
bills' call items, ID numbers the hall accepts (15-digit ones among them, and
holders born before their district existed), padded CHAR columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from qianshan_support import ENGINES, dump, legacy_database
from stdnum.cn import ric

from core.demo.era import FIXED_END_MONTH
from core.demo.qianshan import generate_qianshan_db
from core.demo.qianshan_clock import bss_now
from core.demo.qianshan_schema import CALL_TYPE, ITEM_OF_CALL
from core.id_numbers import normalise_id_number
from plugins.sqlbss.mapping import parse_mapping

SIZE = {"customers": 60, "months": 5}
TODAY = dt.date(2024, 6, 10)  # the BSS's day for FIXED_END_MONTH: birth dates are bounded by it, not by the clock


@pytest.fixture(scope="module")
def bss(tmp_path_factory) -> dict[str, list[tuple]]:
    path = tmp_path_factory.mktemp("qianshan") / "qianshan.sqlite3"
    generate_qianshan_db(path, end_month=FIXED_END_MONTH, seed=7, **SIZE)
    return dump(str(path))


def columns(table: str) -> list[str]:
    from core.demo.qianshan_schema import cdr_table, metadata

    meta = metadata()
    return [c.name for c in (meta.tables[table] if table in meta.tables else cdr_table(meta, table)).columns]


def rows(bss: dict, table: str) -> list[dict]:
    names = columns(table)
    return [dict(zip(names, row)) for row in bss[table]]


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(tmp_path, bss):
    again = tmp_path / "again.sqlite3"
    sample = generate_qianshan_db(again, end_month=FIXED_END_MONTH, seed=7, **SIZE)
    assert dump(str(again)) == bss
    other = tmp_path / "other.sqlite3"
    assert generate_qianshan_db(other, end_month=FIXED_END_MONTH, seed=8, **SIZE) != sample
    assert dump(str(other))["T_CUST"] != bss["T_CUST"]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_holds_the_same_rows(engine, tmp_path, bss):
    """One SQLAlchemy Core generator: MariaDB and PostgreSQL get what SQLite gets (CHAR padding aside)."""
    with legacy_database(engine, tmp_path) as target:
        generate_qianshan_db(target, end_month=FIXED_END_MONTH, seed=7, **SIZE)
        assert dump(target) == bss
        generate_qianshan_db(target, end_month=FIXED_END_MONTH, seed=7, **SIZE)  # a second run replaces its tables
        assert dump(target) == bss


def test_the_tables_of_a_provincial_bss_and_no_inbox_for_the_hall(bss):
    assert set(bss) == {
        *("T_CUST", "T_ACCT", "T_USER", "T_PRODUCT", "T_BILL_CYCLE", "T_ITEM_DEF", "T_ACCT_BILL", "T_BILL_DETAIL"),
        *("T_PAYLOG", "T_ACCT_BALANCE"),
        *("TG_CDR_2401", "TG_CDR_2402", "TG_CDR_2403", "TG_CDR_2404", "TG_CDR_2405", "TG_CDR_2406"),
        "TG_CDR_2401_BAK",  # a DBA's copy that the table pattern must not match
    }
    assert 40 <= len(bss["T_CUST"]) <= 100 and 200 <= len(bss["T_ACCT_BILL"]) <= 600
    assert 2000 <= sum(len(r) for t, r in bss.items() if t.startswith("TG_CDR")) <= 10_000


def test_the_call_tables_match_the_tenants_pattern_and_the_backup_does_not(bss):
    mapping = {
        "type": "sqlbss",
        "url": "sqlite:///x",
        "customers": {"table": "T_CUST", "key": "CUST_ID", "name": "N", "id_number": "C", "changed": "U"},
        "numbers": {"table": "T_USER", "number": "SERIAL_NUMBER", "customer_key": "CUST_ID"},
        "calls": {
            "table_pattern": "TG_CDR_{yy}{mm}",
            **{"key": "CDR_ID", "number": "N", "started": "S", "duration": "D", "call_type": "T", "charge": "F"},
            "call_type_map": {"01": "local"},
        },
    }
    calls = parse_mapping(mapping, "tenant.toml").calls
    months = {t: calls.table_month(t) for t in bss if t.startswith("TG_CDR")}
    assert months == {
        **{f"TG_CDR_24{m:02d}": f"2024{m:02d}" for m in range(1, 7)},
        "TG_CDR_2401_BAK": None,
    }


def test_id_numbers_are_valid_for_the_hall_old_cards_and_old_holders_included(bss):
    codes = [r["CERT_CODE"] for r in rows(bss, "T_CUST")]
    assert all(normalise_id_number(c, today=TODAY) for c in codes)
    assert any(len(c) == 15 for c in codes) and any(len(c) == 18 for c in codes)
    older = [c for c in codes if len(c) == 18 and not ric.is_valid(c)]
    assert older, "some holders were born before their district's code existed (stdnum refuses them, the hall not)"
    assert len({normalise_id_number(c, today=TODAY) for c in codes}) == len(codes)


def test_accounts_some_customers_have_two_and_some_accounts_pay_for_several_lines(bss):
    users = rows(bss, "T_USER")
    accounts_of = Counter(r["CUST_ID"] for r in rows(bss, "T_ACCT"))
    lines_of = Counter(r["ACCT_ID"] for r in users)
    assert any(n == 2 for n in accounts_of.values()) and 3 in lines_of.values()
    assert {r["PAY_MODE_CODE"] for r in rows(bss, "T_ACCT")} == {"0", "1"}
    assert {r["NET_TYPE_CODE"] for r in users} == {"10", "30", "50"}
    assert {r["STATE_CODE"] for r in users} <= {"0", "1", "5"} and {r["REMOVE_TAG"] for r in users} == {"0", "1"}
    for r in users:
        if r["NET_TYPE_CODE"] == "50":
            assert re.fullmatch(r"1\d{10}", r["SERIAL_NUMBER"])
        if r["NET_TYPE_CODE"] == "10":  # the local part only: the area code is its own CHAR(4) column
            assert re.fullmatch(r"[2-8]\d{6,7}", r["SERIAL_NUMBER"]) and r["AREA_CODE"] in (
                "0412",
                "024",
                "0411",
                "0415",
            )


def test_char_columns_are_blank_padded_as_oracle_stores_them(tmp_path):
    import sqlite3

    path = tmp_path / "q.sqlite3"
    generate_qianshan_db(path, end_month=FIXED_END_MONTH, seed=7, customers=40, months=1)
    with sqlite3.connect(path) as conn:
        areas = {a for (a,) in conn.execute("SELECT AREA_CODE FROM T_USER")}
        certs = {len(c) for (c,) in conn.execute("SELECT CERT_CODE FROM T_CUST")}
    assert "024 " in areas and certs == {18}


def test_bills_are_per_account_their_items_add_up_and_their_call_items_are_the_call_records(bss):
    bills = {r["BILL_ID"]: r for r in rows(bss, "T_ACCT_BILL")}
    items = defaultdict(list)
    for r in rows(bss, "T_BILL_DETAIL"):
        items[r["BILL_ID"]].append(r)
    assert set(items) == set(bills)
    for bill_id, bill in bills.items():
        assert sum(i["FEE"] for i in items[bill_id]) == bill["FEE"] and bill["FEE"] % 10 == 0
        assert bill["PAY_TAG"] in ("0", "1", "2") and 0 <= bill["BALANCE_PAID"] <= bill["FEE"]
    assert len({(b["ACCT_ID"], b["CYCLE_ID"]) for b in bills.values()}) == len(bills)
    assert any(i["FEE"] < 0 for r in items.values() for i in r)  # discounts
    cycles = {r["CYCLE_ID"]: r["CYCLE_MONTH"] for r in rows(bss, "T_BILL_CYCLE")}
    assert {cycles[b["CYCLE_ID"]] for b in bills.values()} == {"202401", "202402", "202403", "202404", "202405"}
    called = Counter()
    for table in (t for t in bss if re.fullmatch(r"TG_CDR_24\d\d", t) and t != "TG_CDR_2406"):
        for r in rows(bss, table):
            if r["RECORD_TYPE"] in ("10", "20"):
                called[(f"20{table[7:]}", r["USER_ID"], ITEM_OF_CALL[r["CALL_TYPE"]])] += r["FEE_LI"]
    billed = Counter()
    for bill_id, bill in bills.items():
        for i in items[bill_id]:
            if i["ITEM_CODE"] in ITEM_OF_CALL.values():
                billed[(cycles[bill["CYCLE_ID"]], i["USER_ID"], i["ITEM_CODE"])] += i["FEE"]
    assert billed == called


def test_call_tables_have_file_headers_and_trailers_among_the_records(bss):
    for table in (t for t in bss if t.startswith("TG_CDR")):
        file, seen = None, []
        for r in rows(bss, table):
            assert r["FEE_LI"] % 10 == 0 and re.fullmatch(r"\d{14}", r["START_TIME"])
            if r["RECORD_TYPE"] == "00":
                file, seen = r["SERIAL_NUMBER"], []
                assert r["CALL_TYPE"] == "" and r["USER_ID"] is None
            elif r["RECORD_TYPE"] == "99":
                assert r["SERIAL_NUMBER"] == file and r["DURATION"] == len(seen)
                assert r["FEE_LI"] == sum(s["FEE_LI"] for s in seen)
                file = None
            else:
                assert file and r["RECORD_TYPE"] in ("10", "20") and r["CALL_TYPE"] in CALL_TYPE.values()
                seen.append(r)
        assert file is None
    ids = [r[0] for t in sorted(bss) if re.fullmatch(r"TG_CDR_\d{4}", t) for r in bss[t]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # CDR_ID only increases, across months


def test_payments_in_yuan_match_the_paid_bills(bss):
    bills = rows(bss, "T_ACCT_BILL")
    prepaid = {r["ACCT_ID"] for r in rows(bss, "T_ACCT") if r["PAY_MODE_CODE"] == "1"}
    payments = rows(bss, "T_PAYLOG")
    kept = defaultdict(list)
    for p in payments:
        assert re.fullmatch(r"QS\d{16}", p["PAY_SERIAL"]) and p["PAY_CHANNEL"] in ("01", "02", "03", "16")
        assert (p["STAFF_ID"] is not None) == (p["PAY_CHANNEL"] == "01")
        if p["REMOVE_TAG"] == "0":
            kept[(p["ACCT_ID"], p["CYCLE_ID"])].append(p)
    for b in bills:
        if b["ACCT_ID"] in prepaid:
            assert b["PAY_TAG"] == "1" and not kept[(b["ACCT_ID"], b["CYCLE_ID"])]  # paid from the balance
        elif b["BALANCE_PAID"]:
            [p] = kept[(b["ACCT_ID"], b["CYCLE_ID"])]
            assert p["RECV_FEE"] == f"{b['BALANCE_PAID'] / 1000:.2f}" and p["RECV_TIME"] == b["UPDATE_TIME"]
        else:
            assert not kept[(b["ACCT_ID"], b["CYCLE_ID"])]
    assert any(p["REMOVE_TAG"] == "1" for p in payments)  # a bounced debit, reversed
    assert any(p["CYCLE_ID"] is None and p["ACCT_ID"] in prepaid for p in payments)  # top-ups


def test_balances_prepaid_credit_and_postpaid_debt(bss):
    owed = Counter()
    for b in rows(bss, "T_ACCT_BILL"):
        owed[b["ACCT_ID"]] += b["FEE"] - b["BALANCE_PAID"]
    accounts = {r["ACCT_ID"]: r for r in rows(bss, "T_ACCT")}
    balances = rows(bss, "T_ACCT_BALANCE")
    assert {r["ACCT_ID"] for r in balances} == set(accounts)
    for r in balances:
        account = accounts[r["ACCT_ID"]]
        if account["PAY_MODE_CODE"] == "0" and owed[r["ACCT_ID"]]:
            assert r["BALANCE"] == -owed[r["ACCT_ID"]]
    prepaid = [r["BALANCE"] for r in balances if accounts[r["ACCT_ID"]]["PAY_MODE_CODE"] == "1"]
    assert max(prepaid) > 0 and all(b % 10 == 0 for b in prepaid)


def test_change_times_are_text_and_none_is_after_the_bss_now(bss):
    now = f"{bss_now(FIXED_END_MONTH):%Y%m%d%H%M%S}"
    for table in ("T_CUST", "T_ACCT", "T_USER", "T_ACCT_BILL", "T_ACCT_BALANCE"):
        stamps = [r["UPDATE_TIME"] for r in rows(bss, table)]
        assert all(re.fullmatch(r"\d{14}", s) and s <= now for s in stamps), table
    assert Counter(r["UPDATE_TIME"] for r in rows(bss, "T_CUST")).most_common(1)[0][1] > 5  # the migration stamp


def test_the_printable_customers_can_sign_up_with_a_mobile(tmp_path):
    sample = generate_qianshan_db(tmp_path / "q.sqlite3", end_month=FIXED_END_MONTH, customers=20, months=1)
    assert len(sample) == 5
    assert [len(c.numbers) for c in sample[:3]] == [3, 2, 2]
    for c in sample:
        assert re.fullmatch(r"1\d{10}", c.numbers[0]) and c.phone == c.numbers[0] and c.email and c.name
        assert normalise_id_number(c.id_number, today=TODAY)
    assert any(re.fullmatch(r"0\d{2,3}[2-8]\d{6,7}", n) for n in sample[0].numbers)  # a fixed line as typed


@pytest.mark.parametrize(
    "end_month, tables",
    [
        ((2025, 12), {"TG_CDR_2511", "TG_CDR_2512", "TG_CDR_2601"}),
        ((2008, 3), {"TG_CDR_0802", "TG_CDR_0803", "TG_CDR_0804"}),
    ],
)
def test_every_date_moves_with_the_anchor_month(tmp_path, end_month, tables):
    path = tmp_path / "q.sqlite3"
    generate_qianshan_db(path, end_month=end_month, customers=30, months=2)
    content = dump(str(path))
    assert {t for t in content if re.fullmatch(r"TG_CDR_\d{4}", t)} == tables
    now = f"{bss_now(end_month):%Y%m%d%H%M%S}"
    for table in ("T_CUST", "T_ACCT", "T_USER", "T_ACCT_BILL", "T_ACCT_BALANCE"):
        assert max(r["UPDATE_TIME"] for r in rows(content, table)) <= now, table
    months = {r["CYCLE_MONTH"]: r["CYCLE_STATE"] for r in rows(content, "T_BILL_CYCLE")}
    last = f"{end_month[0]}{end_month[1]:02d}"
    assert months[last] == "1" and max(months) == f"{bss_now(end_month).year}12" and months[max(months)] == "0"


def test_the_bss_clock_never_runs_ahead_of_the_real_time():
    """Generated in the first days of a month, the BSS stands at the real time, not at the 10th still to come."""
    import datetime as dt

    from core.demo.era import Month
    from core.demo.qianshan_clock import CHINA, bss_now

    may: Month = (2024, 5)
    assert bss_now(may, dt.datetime(2030, 1, 1, tzinfo=CHINA)) == dt.datetime(2024, 6, 10, 18, 30)
    assert bss_now(may, dt.datetime(2024, 6, 6, 20, 59, 33, tzinfo=CHINA)) == dt.datetime(2024, 6, 6, 20, 59)
    assert bss_now(may, dt.datetime(2024, 6, 6, 12, 59, tzinfo=dt.timezone.utc)) == dt.datetime(2024, 6, 6, 20, 59)
    assert bss_now(may, dt.datetime(2024, 6, 1, 9, 0, tzinfo=CHINA)) == dt.datetime(2024, 6, 2, 4, 0)
