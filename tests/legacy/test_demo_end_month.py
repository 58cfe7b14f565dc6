"""The demo data ends with the month it is given (the anchor); the CLI's default anchor is last month in China."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner

from core.cli import cli
from core.demo import era
from core.demo.legacy_db import generate_legacy_db

BILL_MONTHS = {
    "jiangnan": "SELECT DISTINCT CAST(ZQ AS INTEGER), JFRQ FROM ZD_ZDXX ORDER BY 1",
    "haibin": "SELECT DISTINCT BILL_MONTH, DUE_TS FROM ACC_BILL ORDER BY 1",
}


def bill_months(path, style: str) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute(BILL_MONTHS[style])]


def due_dates(path, style: str) -> dict[int, str]:
    """Bill month → its due date as YYYY-MM-DD (haibin keeps epoch seconds, China time)."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(BILL_MONTHS[style]).fetchall()
    if style == "jiangnan":
        return {month: f"{due[:4]}-{due[4:6]}-{due[6:]}" for month, due in rows}
    return {month: f"{dt.datetime.fromtimestamp(due, era.DEMO_ZONE):%Y-%m-%d}" for month, due in rows}


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
@pytest.mark.parametrize(
    "end_month, months, due",
    [((2024, 5), [202403, 202404, 202405], "2024-06-15"), ((2026, 1), [202511, 202512, 202601], "2026-02-15")],
)
def test_the_newest_bill_month_is_the_anchor(tmp_path, style, end_month, months, due):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=end_month, subscribers=20, style=style, months=3)
    assert bill_months(path, style) == months
    assert (
        due_dates(path, style)[months[-1]] == due
    )  # the anchor's bills fall due mid next month: not yet past due on the 1st


def test_the_same_anchor_gives_the_same_database_and_another_one_moves_the_dates(tmp_path):
    paths = [tmp_path / f"{n}.sqlite3" for n in range(3)]
    for path, end_month in zip(paths, [(2025, 3), (2025, 3), (2025, 9)]):
        generate_legacy_db(path, end_month=end_month, subscribers=20, style="jiangnan", months=1)
    dumps = []
    for path in paths:
        with closing(sqlite3.connect(path)) as conn:
            dumps.append(list(conn.iterdump()))
    assert dumps[0] == dumps[1] and dumps[0] != dumps[2]
    with closing(sqlite3.connect(paths[2])) as conn:
        newest_change = conn.execute("SELECT MAX(XGSJ) FROM KH_KHXX").fetchone()[0]
    assert (
        "20250901000000" < newest_change < "20251101000000"
    )  # change times run to the end of the month after the anchor


@pytest.mark.parametrize(
    "now, expected",
    [
        (
            dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc),
            (2025, 12),
        ),  # January: last month is December of the year before
        (dt.datetime(2025, 8, 31, 20, 0, tzinfo=dt.timezone.utc), (2025, 8)),  # already 1 September in Beijing
        (dt.datetime(2025, 9, 1, 15, 0, tzinfo=dt.timezone.utc), (2025, 8)),
    ],
)
def test_last_complete_month_is_counted_in_china(now, expected):
    assert era.last_complete_month(now) == expected


@pytest.mark.parametrize(
    "now, expected",
    [
        (dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc), [202512]),
        (dt.datetime(2025, 8, 31, 20, 0, tzinfo=dt.timezone.utc), [202508]),
    ],
)
def test_legacy_demo_bills_up_to_last_month_of_its_clock(tmp_path, monkeypatch, now, expected):
    monkeypatch.setattr(era, "utc_now", lambda: now)
    out = tmp_path / "legacy.sqlite3"
    result = CliRunner().invoke(
        cli, ["legacy-demo", "--style", "haibin", "--subscribers", "10", "--months", "1", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert bill_months(out, "haibin") == expected
    assert f"up to {expected[0] // 100}-{expected[0] % 100:02d}" in result.output


@pytest.mark.parametrize(
    "now, expected",
    [
        (dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc), (2025, 12)),
        (dt.datetime(2025, 7, 15, 3, 0, tzinfo=dt.timezone.utc), (2025, 6)),
    ],
)
def test_hall_demo_takes_last_month_unless_told(monkeypatch, now, expected):
    """Parsing the options is enough: the anchor is fixed before the demo generates anything."""
    monkeypatch.setattr(era, "utc_now", lambda: now)
    demo = cli.commands["demo"]
    assert demo.make_context("demo", ["--prepare-only"]).params["end_month"] == expected
    assert demo.make_context("demo", ["--end-month", "2024-05"]).params["end_month"] == (2024, 5)


@pytest.mark.parametrize("bad", ["2024-13", "2024-5", "May 2024", "2024-00"])
def test_an_end_month_that_is_not_a_month_is_refused(tmp_path, bad):
    out = tmp_path / "legacy.sqlite3"
    result = CliRunner().invoke(cli, ["legacy-demo", "--style", "haibin", "--end-month", bad, "--output", str(out)])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    assert not out.exists()
