"""A day of upstream changes in the qianshan BSS (core/demo/qianshan_day.py): each change is where the summary says.

The summary is what a sync test checks the hall against; here it is checked
against the BSS itself, on SQLite, MariaDB and PostgreSQL: every change it
names is in the tables, nothing else changed, and the batch jobs' rows are
stamped before their table's watermark but within the hall's look-back.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from click.testing import CliRunner
from qianshan_support import ENGINES, dump, legacy_database

from core.cli import cli
from core.demo.era import FIXED_END_MONTH
from core.demo.qianshan import generate_qianshan_db
from core.demo.qianshan_day import day_of_changes
from core.id_numbers import normalise_id_number

LOOK_BACK = dt.timedelta(minutes=120)  # the hall's default [legacy] *_look_back_minutes


def stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y%m%d%H%M%S")


def changed_keys(before: dict, after: dict, table: str) -> set:
    old = {row[0]: row for row in before[table]}
    return {row[0] for row in after[table] if old.get(row[0]) != row}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_change_of_the_day_is_in_the_bss_and_nothing_else_changed(engine, tmp_path):
    with legacy_database(engine, tmp_path) as target:
        generate_qianshan_db(target, end_month=FIXED_END_MONTH, seed=3, customers=40, months=3)
        before = dump(target)
        day = day_of_changes(target, seed=5)
        after = dump(target)
        assert day.day == dt.date(2024, 6, 11)  # the day after the BSS's "now" (2024-06-10)
        marks = {t: stamp(w) for t, w in day.watermarks.items()}

        bills = {
            str(r[0]): r for r in after["T_ACCT_BILL"]
        }  # BILL_ID, ACCT_ID, CYCLE_ID, FEE, BALANCE_PAID, PAY_TAG, UPDATE_TIME
        assert len(day.paid_bills) >= 3
        for bill_id, fee in day.paid_bills.items():
            _, acct, cycle, amount, paid, tag, changed = bills[bill_id]
            assert (amount, paid, tag) == (fee, fee, "1")
            assert marks["T_ACCT_BILL"] - LOOK_BACK < stamp(changed) < marks["T_ACCT_BILL"]  # late, but looked back at
            [payment] = [p for p in after["T_PAYLOG"] if p[0] in day.payments and (p[1], p[2]) == (acct, cycle)]
            assert payment[6] == changed and payment[8] == "0" and payment[4] in ("01", "02")
        for bill_id, fee in day.rerated_bills.items():
            assert bills[bill_id][3] == fee
            items = sum(d[4] for d in after["T_BILL_DETAIL"] if str(d[1]) == bill_id)
            assert items == fee and stamp(bills[bill_id][6]) < marks["T_ACCT_BILL"]
        assert changed_keys(before, after, "T_ACCT_BILL") == {int(b) for b in [*day.paid_bills, *day.rerated_bills]}
        assert {p[0] for p in after["T_PAYLOG"]} - {p[0] for p in before["T_PAYLOG"]} == set(day.payments)

        customers = {str(r[0]): r for r in after["T_CUST"]}
        for cust_id, address in day.moved.items():
            assert customers[cust_id][6] == address
        for cust_id, name in day.renamed.items():
            assert customers[cust_id][1] == name and stamp(customers[cust_id][9]).date() == day.day
        new = day.new_customer
        assert customers[new.legacy_id][1] == new.name and normalise_id_number(new.id_number, today=day.day)
        assert changed_keys(before, after, "T_CUST") == {int(c) for c in [*day.moved, *day.renamed, new.legacy_id]}
        assert [stamp(customers[c][9]) < marks["T_CUST"] for c in day.moved].count(True) == 1  # the form opened early

        users = {
            (r[3] + r[4] if r[5] == "10" else r[4]): r for r in after["T_USER"]
        }  # the number customers type -> row
        [closed] = day.closed_numbers
        assert users[closed][10] == "1" and users[closed][9] == "20240611"
        assert customers[str(users[closed][1])] == next(r for r in before["T_CUST"] if r[0] == users[closed][1])
        assert users[new.numbers[0]][10] == "0" and str(users[new.numbers[0]][2]) in day.new_accounts

        balances = {str(r[0]): r[1] for r in after["T_ACCT_BALANCE"]}
        assert {a: balances[a] for a in day.balances} == day.balances and day.new_accounts[0] in day.balances
        for acct in {day.payments[p] for p in day.payments} - set(day.new_accounts):
            owed = sum(b[3] - b[4] for b in after["T_ACCT_BILL"] if str(b[1]) == acct)
            assert owed == 0 and balances[acct] >= 0

        tables = [t for t in after if re.fullmatch(r"TG_CDR_\d{4}", t)]
        top = max(r[0] for t in tables for r in before.get(t, []))
        new_rows = [r for r in after["TG_CDR_2406"] if r[0] > top]
        assert [r[1] for r in (new_rows[0], new_rows[-1])] == ["00", "99"] and new_rows[-1][6] == len(day.new_calls)
        assert [f"202406-{r[0]}" for r in new_rows if r[1] in ("10", "20")] == list(day.new_calls)
        assert all(r[5].startswith("20240611") for r in new_rows)


def test_the_same_seed_gives_the_same_day_and_the_next_day_follows(tmp_path):
    first = tmp_path / "a.sqlite3"
    generate_qianshan_db(first, end_month=FIXED_END_MONTH, seed=3, customers=30, months=2)
    second = tmp_path / "b.sqlite3"
    shutil.copy(first, second)
    assert day_of_changes(first, seed=9) == day_of_changes(second, seed=9)
    assert dump(str(first)) == dump(str(second))
    later = day_of_changes(first, seed=10)
    assert later.day == dt.date(2024, 6, 12) and later.new_customer.legacy_id != ""
    assert dump(str(first)) != dump(str(second))


def test_a_day_in_a_new_month_opens_its_call_table(tmp_path):
    path = tmp_path / "q.sqlite3"
    generate_qianshan_db(path, end_month=FIXED_END_MONTH, seed=3, customers=20, months=1)
    days = [day_of_changes(path, seed=s) for s in range(21)]  # 2024-06-11 .. 2024-07-01
    assert days[-1].day == dt.date(2024, 7, 1) and days[-1].new_calls[0].startswith("202407-")
    assert "TG_CDR_2407" in dump(str(path))


def legacy_demo(*args: str):
    return CliRunner().invoke(cli, ["legacy-demo", *args])


def test_the_command_writes_qianshan_and_applies_a_day(tmp_path):
    out = tmp_path / "qianshan.sqlite3"
    made = legacy_demo("--style", "qianshan", "--subscribers", "25", "--end-month", "2024-05", "--output", str(out))
    assert made.exit_code == 0, made.output
    assert "T_CUST 25" in made.output and "TG_CDR_2405" in made.output and "TG_CDR_2402" in made.output  # 4 months
    changed = legacy_demo("--style", "qianshan", "--day-of-changes", "--seed", "4", "--output", str(out))
    assert changed.exit_code == 0, changed.output
    assert "day 2024-06-11" in changed.output and "new customer 210300000026 " in changed.output
    assert "late-stamped (before the watermark): T_ACCT_BILL" in changed.output


@pytest.mark.parametrize(
    "args, reason",
    [
        (["--style", "haibin", "--day-of-changes", "--output", "x.sqlite3"], "qianshan only"),
        (["--style", "haibin", "--url", "sqlite:///x.sqlite3"], "qianshan only"),
        (["--style", "qianshan", "--day-of-changes", "--output", "missing.sqlite3"], "does not exist"),
        (["--style", "qianshan", "--output", "x.sqlite3", "--url", "sqlite:///y.sqlite3"], "--output FILE"),
    ],
)
def test_the_command_refuses_what_does_not_fit(tmp_path, monkeypatch, args, reason):
    monkeypatch.chdir(tmp_path)
    result = legacy_demo(*args)
    assert result.exit_code == 2 and reason in result.output
    assert not (tmp_path / "x.sqlite3").exists()


def test_the_command_writes_into_a_database_server_and_changes_it_there(tmp_path):
    with legacy_database("mariadb", tmp_path) as url:
        made = legacy_demo(
            "--style", "qianshan", "--subscribers", "15", "--months", "1", "--end-month", "2024-05", "--url", url
        )
        assert made.exit_code == 0, made.output
        assert "T_CUST 15" in made.output and "TG_CDR_2406" in made.output
        changed = legacy_demo("--style", "qianshan", "--day-of-changes", "--url", url)
        assert changed.exit_code == 0, changed.output
        assert "new customer 210300000016 " in changed.output
        assert len(dump(url)["T_CUST"]) == 16
