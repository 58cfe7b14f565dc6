"""``calls.table_pattern`` with the year and month apart: ``{yyyymm}``, or ``{yyyy}``/``{yy}`` with ``{mm}``.

Real BSSs name their monthly call tables ``CDR_2024_05``, ``TG_CDR_2405`` or
``CDR_05_2024``; each is one pattern, and every table's month (hence the call
records' legacy ids ``<yyyymm>-<key>``) comes out the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

from core.config import ConfigError
from plugins.sqlbss.billing import connector_class
from plugins.sqlbss.mapping import parse_mapping

TENANT_FILE = Path("/srv/hall/tenants/qs/tenant.toml")


def calls_map(pattern: str) -> dict:
    return {
        "type": "sqlbss",
        "url": "sqlite:///var/legacy/x.sqlite3",
        "customers": {"table": "CUST", "key": "ID", "name": "NM", "id_number": "CERT", "changed": "UPD"},
        "numbers": {"table": "LINE", "number": "NBR", "customer_key": "ID"},
        "calls": {
            "table_pattern": pattern,
            "months": 3,
            "key": "SEQ",
            "number": "NBR",
            "started": "START_TS",
            "started_format": "text:%Y%m%d%H%M%S",
            "duration": "SECS",
            "call_type": "KIND",
            "call_type_map": {"L": "local"},
            "charge": "FEN",
        },
    }


@pytest.mark.parametrize(
    "pattern, name, month",
    [
        ("HD_{yyyymm}", "HD_202405", "202405"),
        ("CDR_{yyyy}_{mm}", "CDR_2024_05", "202405"),
        ("TG_CDR_{yy}{mm}", "TG_CDR_2405", "202405"),
        ("TG_CDR_{yy}{mm}", "tg_cdr_2412", "202412"),  # PostgreSQL folds names to lower case
        ("CDR_{mm}_{yyyy}", "CDR_11_2023", "202311"),  # the month first
        ("BSS.CDR_{yy}{mm}", "BSS.CDR_2401", "202401"),
    ],
)
def test_a_table_name_gives_its_month(pattern, name, month):
    calls = parse_mapping(calls_map(pattern), TENANT_FILE).calls
    assert calls.table_month(name) == month


@pytest.mark.parametrize(
    "pattern, name",
    [
        ("TG_CDR_{yy}{mm}", "TG_CDR_2413"),  # no month 13
        ("TG_CDR_{yy}{mm}", "TG_CDR_2405_BAK"),  # a DBA's backup copy is not a month's table
        ("TG_CDR_{yy}{mm}", "TG_CDR_202405"),
        ("CDR_{yyyy}_{mm}", "CDR_202405"),
        ("HD_{yyyymm}", "HD_2405"),
        ("HD_{yyyymm}", "XHD_202405"),
    ],
)
def test_other_names_are_not_monthly_tables(pattern, name):
    calls = parse_mapping(calls_map(pattern), TENANT_FILE).calls
    assert calls.table_month(name) is None


@pytest.mark.parametrize(
    "pattern",
    ["HD_{yyyy}", "HD_{mm}", "HD_{yy}", "HD_{yyyy}{yy}{mm}", "HD_{yyyymm}_{mm}", "HD_{yyyy}{mm}{mm}", "HD {yyyymm}"],
)
def test_a_pattern_names_the_year_and_the_month_once_each(pattern):
    with pytest.raises(ConfigError) as info:
        parse_mapping(calls_map(pattern), TENANT_FILE)
    [issue] = info.value.issues
    assert issue.key == "connector.calls.table_pattern" and "{yyyy} (or {yy}) and {mm} once each" in issue.reason


def test_calls_are_read_from_tables_named_by_two_digit_year_and_month(tmp_path):
    """The window is the latest ``months`` tables by month (not by name), the backup table is left out, ids carry yyyymm."""
    path = tmp_path / "var" / "legacy" / "x.sqlite3"
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE CUST (ID TEXT, NM TEXT, CERT TEXT, UPD TEXT)")
        conn.execute("CREATE TABLE LINE (NBR TEXT, ID TEXT)")
        for table, seq in [("TG_CDR_2312", 1), ("TG_CDR_2401", 5), ("TG_CDR_2402", 9), ("TG_CDR_2311", 0)]:
            conn.execute(
                f"CREATE TABLE {table} (SEQ INTEGER, NBR TEXT, START_TS TEXT, SECS INTEGER, KIND TEXT, FEN INTEGER)"
            )
            conn.execute(f"INSERT INTO {table} VALUES (?, '18900000001', '20240101120000', 60, 'L', 10)", (seq,))
        conn.execute("CREATE TABLE TG_CDR_2402_BAK AS SELECT * FROM TG_CDR_2402")
    mapping = parse_mapping(calls_map("TG_CDR_{yy}{mm}"), TENANT_FILE)
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=TENANT_FILE)

    async def read_all() -> list[str]:
        ids, watermark = [], ""
        while True:
            batch = await connector.calls_after(watermark, 10)
            if not batch.calls:
                return ids
            ids += [c.legacy_id for c in batch.calls]
            watermark = batch.watermark

    assert asyncio.run(read_all()) == ["202312-1", "202401-5", "202402-9"]  # 2311 is out of the 3-month window
    assert [c.legacy_id for c in asyncio.run(connector.calls_by_ids(["202401-5", "202305-0"]))] == ["202401-5"]
    assert asyncio.run(connector.problems()) == []
    asyncio.run(connector.close())


@pytest.mark.parametrize(
    "name, pattern",
    [
        ("HD_202405", "HD_{yyyymm}"),
        ("CDR_2024_05", "CDR_{yyyy}_{mm}"),
        ("TG_CDR_2405", "TG_CDR_{yy}{mm}"),
        ("TG_CDR_2413", None),
        ("TG_CDR_2405_BAK", None),
        ("KH_KHXX", None),
    ],
)
def test_the_inspectors_draft_suggests_the_pattern_of_a_monthly_name(name, pattern):
    from plugins.sqlbss.inspect_draft import monthly_pattern

    assert monthly_pattern(name) == pattern


@pytest.mark.parametrize(
    "names, pattern",
    [(("CDR_2024_04", "CDR_2024_05"), "CDR_{yyyy}_{mm}"), (("TG_CDR_2404", "TG_CDR_2405"), "TG_CDR_{yy}{mm}")],
)
def test_the_draft_maps_monthly_call_tables_by_their_pattern(tmp_path, names, pattern):
    from plugins.sqlbss.inspect import inspect_url
    from plugins.sqlbss.inspect_draft import draft_toml

    path = tmp_path / "x.sqlite3"
    with closing(sqlite3.connect(path)) as conn, conn:
        for table in names:
            conn.execute(
                f"CREATE TABLE {table} (CDR_ID INTEGER PRIMARY KEY, ACC_NBR TEXT, START_TIME TEXT, DURATION INTEGER, "
                "OPP_NBR TEXT, CALL_TYPE TEXT, FEE INTEGER)"
            )
            conn.execute(f"INSERT INTO {table} VALUES (1, '18900000001', '20240401120000', 60, '02400000000', 'L', 10)")
    draft = draft_toml(f"sqlite:///{path}", inspect_url(f"sqlite:///{path}"))
    calls = tomllib.loads(draft)["connector"]["calls"]
    assert calls["table_pattern"] == pattern and calls["key"] == "CDR_ID"
