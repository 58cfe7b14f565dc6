"""The sqlbss connector against both demo legacy systems: paging, look-ups and ``check()``."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter

import pytest
from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, pg_url, read_all
from stdnum.cn import ric

from core.config import ConfigError
from core.demo.legacy_db import update_some
from core.legacy.ports import Connector, CustomerSource
from plugins.sqlbss.connector import LegacyUnavailable, SqlBssConnector
from plugins.sqlbss.markers import WatermarkError
from plugins.sqlbss.mapping import parse_mapping


def with_changes(legacy, **changes) -> SqlBssConnector:
    cfg = {**legacy.config, **{k: v for k, v in changes.items() if k not in ("customers", "numbers")}}
    for section in ("customers", "numbers"):
        cfg[section] = {**legacy.config[section], **changes.get(section, {})}
    return SqlBssConnector(parse_mapping(cfg, legacy.tenant_file), root=legacy.root, tenant_file=legacy.tenant_file)


async def test_implements_the_ports(legacy):
    assert isinstance(legacy.connector, Connector) and isinstance(legacy.connector, CustomerSource)
    assert legacy.connector.name == "sqlbss"
    await legacy.connector.ping()
    await legacy.connector.check()


@pytest.mark.parametrize("page", [1, 7, 50, 1000])
async def test_every_customer_exactly_once_whatever_the_page_size(legacy, page):
    customers, _ = await read_all(legacy.connector, page)
    ids = [c.legacy_id for c in customers]
    assert len(ids) == len(set(ids)) == 120
    times = [c.changed_at for c in customers]
    assert times == sorted(times)  # oldest first
    assert Counter(times).most_common(1)[0][1] > 15  # many share one change time, yet none is lost or repeated


async def test_records_are_converted(legacy):
    customers, _ = await read_all(legacy.connector, 500)
    by_id = {c.legacy_id: c for c in customers}
    for demo in legacy.demo:
        c = by_id[demo.legacy_id]
        assert c.name == demo.name and c.email == demo.email and c.phone == demo.phone  # CHAR padding stripped
        assert c.id_number.upper() == demo.id_number
        assert sorted(n.number for n in c.numbers) == sorted(demo.numbers)
    assert all(ric.is_valid(c.id_number) for c in customers)
    assert {c.status for c in customers} == {"active", "suspended", "closed"}
    assert {n.kind for c in customers for n in c.numbers} == {"phone", "broadband", "account"}
    assert {n.status for c in customers for n in c.numbers} == {"active", "suspended", "closed"}
    assert all(c.changed_at is not None and c.changed_at.tzinfo is not None for c in customers)
    assert min(c.changed_at for c in customers) == dt.datetime(2008, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def test_resume_from_watermark_sees_only_changes(legacy):
    _, watermark = await read_all(legacy.connector, 25)
    changed = update_some(legacy.path, legacy.style, count=6, seed=11)
    again, _ = await read_all(legacy.connector, 4, watermark)
    assert sorted(c.legacy_id for c in again) == sorted(changed)


async def test_customer_by_number(legacy):
    demo = legacy.demo[0]
    for number in demo.numbers:
        found = await legacy.connector.customer_by_number(f" {number} ")
        assert found.legacy_id == demo.legacy_id and len(found.numbers) == 3
    assert await legacy.connector.customer_by_number("00000000") is None
    assert await legacy.connector.customer_by_number("") is None


async def test_watermark_of_another_mapping_is_refused(make_legacy):
    jiangnan, haibin = make_legacy("jiangnan", 10), make_legacy("haibin", 10)
    _, watermark = await read_all(haibin.connector, 5)
    with pytest.raises(WatermarkError, match="run a full sync"):
        await jiangnan.connector.customers_changed_since(watermark, 5)


async def test_check_names_an_unknown_column(legacy):
    column = {"jiangnan": "DZYJ_X", "haibin": "EMAIL"}[legacy.style]
    connector = with_changes(legacy, customers={"email": column})
    with pytest.raises(ConfigError) as info:
        await connector.check()
    [issue] = info.value.issues
    assert issue.file == str(legacy.tenant_file) and issue.key == "connector.customers.email"
    assert f"column {column!r} not found in table" in issue.reason
    with pytest.raises(ConfigError):  # the sync path reports the same, rather than failing in SQL
        await connector.customers_changed_since("", 10)
    await connector.close()


async def test_check_names_an_unknown_table(legacy):
    connector = with_changes(legacy, numbers={"table": "NO_SUCH_TABLE"})
    [issue] = await connector.problems()
    assert issue.key == "connector.numbers.table" and "'NO_SUCH_TABLE' not found" in issue.reason
    await connector.close()


async def test_check_shows_an_unparseable_value(legacy):
    fmt = {"jiangnan": "epoch", "haibin": "text:%Y%m%d%H%M%S"}[legacy.style]
    connector = with_changes(legacy, customers={"changed_format": fmt})
    [issue] = await connector.problems()
    assert issue.key == "connector.customers.changed_format"
    column = {"jiangnan": "KH_KHXX.XGSJ", "haibin": "CRM_CUST.UPD_TS"}[legacy.style]
    shown = re.match(rf"value '?(\d+)'? in {column} does not parse as '{re.escape(fmt)}'", issue.reason)
    assert shown, issue.reason
    assert len(shown.group(1)) == {"jiangnan": 14, "haibin": 10}[legacy.style]  # the offending value itself
    await connector.close()


async def test_check_lists_unmapped_codes(legacy):
    status_map = dict(legacy.config["customers"]["status_map"])
    dropped = {"jiangnan": "X", "haibin": "9"}[legacy.style]
    del status_map[dropped]
    connector = with_changes(legacy, customers={"status_map": status_map})
    [issue] = await connector.problems()
    assert issue.key == "connector.customers.status_map" and f"{dropped!r}" in issue.reason
    customers, _ = await read_all(connector, 500)
    assert dropped in {c.status for c in customers}  # passed on as written, for the sync to reject by name
    await connector.close()


async def test_missing_legacy_file(legacy):
    connector = with_changes(legacy, url="sqlite:///var/missing.sqlite3")
    with pytest.raises(LegacyUnavailable, match="does not exist"):
        await connector.ping()
    [issue] = await connector.problems()
    assert issue.key == "connector.url" and "missing.sqlite3" in issue.reason
    assert not (legacy.root / "var" / "missing.sqlite3").exists()  # never created by accident


@pytest.mark.skipif(not ON_POSTGRES, reason="needs HALL_TEST_DB=postgres")
async def test_legacy_system_on_postgresql(make_legacy):
    """The same mapping reads a PostgreSQL legacy database whose names were folded to lower case."""
    import psycopg

    legacy = make_legacy("jiangnan", 60)
    name = await create_pg_database()
    try:
        source = sqlite3.connect(legacy.path)
        with psycopg.connect(pg_url(name), autocommit=True) as pg:
            for (ddl,) in source.execute("SELECT sql FROM sqlite_master WHERE type = 'table'"):
                pg.execute(ddl)  # unquoted: PostgreSQL stores kh_khxx, khbh, ...
            for table in ("KH_KHXX", "YW_HMXX", "ZF_ZFXX"):
                data = source.execute(f"SELECT * FROM {table}").fetchall()
                marks = ", ".join(["%s"] * len(data[0]))
                pg.cursor().executemany(f"INSERT INTO {table} VALUES ({marks})", data)
        source.close()
        connector = with_changes(legacy, url=pg_url(name))
        await connector.check()
        customers, _ = await read_all(connector, 7)
        assert sorted(c.legacy_id for c in customers) == [f"JN{i:08d}" for i in range(1, 61)]
        assert (await connector.customer_by_number(legacy.demo[1].numbers[0])).legacy_id == legacy.demo[1].legacy_id
        await connector.close()

        with psycopg.connect(pg_url(name), autocommit=True) as pg:  # a real timestamp column: changed_format = "native"
            pg.execute("ALTER TABLE kh_khxx ADD COLUMN xgsj_ts timestamp")
            pg.execute("UPDATE kh_khxx SET xgsj_ts = to_timestamp(xgsj, 'YYYYMMDDHH24MISS')::timestamp")
        native = with_changes(legacy, url=pg_url(name), customers={"changed": "XGSJ_TS", "changed_format": "native"})
        await native.check()
        again, watermark = await read_all(native, 7)
        assert [c.legacy_id for c in again] == [c.legacy_id for c in customers]
        assert [c.changed_at for c in again] == [c.changed_at for c in customers]
        assert watermark.startswith('["d:')
        await native.close()
    finally:
        await drop_pg_database(name)


def test_markers_round_trip():
    from plugins.sqlbss import markers

    moment = dt.datetime(2024, 3, 23, 12, 40, 5)
    for marker, key in [
        ("20240323124005", ("JN00000001",)),
        (1711168805, ("0532", 17)),
        (moment, ("A", 1)),
        (dt.date(2024, 3, 23), (5,)),
    ]:
        watermark = markers.encode(marker, key)
        assert markers.decode(watermark, len(key)) == (marker, key) and len(watermark) < 64
    assert markers.decode("", 1) is None
    for bad in ("nonsense", '["x:1","A"]', '["s:1"]'):
        with pytest.raises(WatermarkError):
            markers.decode(bad, 1)
    cst = dt.timezone(dt.timedelta(hours=8))
    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    assert markers.to_datetime("20240323124005", "text:%Y%m%d%H%M%S", tz) == moment.replace(tzinfo=cst)
    assert markers.to_datetime(1711168805, "epoch", tz) == moment.replace(tzinfo=cst)
    assert markers.to_datetime(1711168805000, "epoch_ms", tz) == moment.replace(tzinfo=cst)
    assert markers.to_datetime(moment, "native", tz) == moment.replace(tzinfo=cst)
    assert markers.to_datetime("2024-03-23 12:40:05", "native", tz) == moment.replace(tzinfo=cst)
    for raw, fmt in [("2024-03-23", "text:%Y%m%d%H%M%S"), ("20240323124005", "epoch"), ("", "native"), (None, "epoch")]:
        with pytest.raises(ValueError):
            markers.to_datetime(raw, fmt, tz)
