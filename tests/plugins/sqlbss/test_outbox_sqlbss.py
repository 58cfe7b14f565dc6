"""The sqlbss ``writeback`` port: outbox events land once in the demo legacy systems' inbox tables."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tomllib
from contextlib import closing
from types import SimpleNamespace

import pytest
from legacy_examples import EXAMPLES
from outbox_support import deliver, emit_one

from core.config import ConfigError
from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from core.legacy.ports import LegacyWriter
from core.testing import TenantSpec
from plugins.sqlbss.mapping import parse_mapping

WRITEBACK = {
    "jiangnan": {
        "table": "JK_HXSJ",
        "event_id": "SJBH",
        "kind": "SJLX",
        "payload": "SJNR",
        "written": "JSSJ",
        "written_format": "text:%Y%m%d%H%M%S",
    },
    "haibin": {
        "table": "INTF_HALL_INBOX",
        "event_id": "EVENT_ID",
        "kind": "EVENT_TYPE",
        "payload": "EVENT_BODY",
        "written": "RECV_TS",
        "written_format": "epoch",
    },
}


def sqlbss_writer(legacy, **changes):
    from plugins.sqlbss import make_connector

    config = {**legacy.config, "writeback": {**WRITEBACK[legacy.style], **changes}}
    return make_connector(hall=SimpleNamespace(root=legacy.root), tenant=legacy.tenant, config=config)


def inbox_rows(legacy) -> list[tuple]:
    w = WRITEBACK[legacy.style]
    with closing(sqlite3.connect(legacy.path)) as conn:
        return conn.execute(
            f"SELECT {w['event_id']}, {w['kind']}, {w['payload']}, {w['written']} FROM {w['table']} "
            f"ORDER BY {w['event_id']}"
        ).fetchall()


async def test_sqlbss_writes_each_event_once_into_the_legacy_inbox(legacy):
    assert not isinstance(legacy.connector, LegacyWriter)  # no [connector.writeback]: no port
    connector = sqlbss_writer(legacy)
    payload = {"number": "13900000001", "amount_fen": 5000, "note": "营业厅缴费"}
    try:
        assert isinstance(connector, LegacyWriter)
        await connector.check()
        await connector.write_event("e-1", "payment.posted", payload)
        await connector.write_event("e-1", "payment.posted", payload)  # the retry after a crash
        await connector.write_event("e-2", "order.placed", {"product": 77})
    finally:
        await connector.close()
    rows = inbox_rows(legacy)
    assert [r[:2] for r in rows] == [("e-1", "payment.posted"), ("e-2", "order.placed")]
    assert json.loads(rows[0][2]) == payload
    now = dt.datetime.now(dt.timezone.utc)
    if legacy.style == "jiangnan":  # local time as text, like the rest of that BSS
        written = dt.datetime.strptime(rows[0][3], "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    else:
        written = dt.datetime.fromtimestamp(rows[0][3], dt.timezone.utc)
    assert abs((now - written).total_seconds()) < 60


async def test_sqlbss_check_names_a_missing_inbox(legacy):
    connector = sqlbss_writer(legacy, table="NO_INBOX")
    try:
        [issue] = await connector.problems()
        assert issue.key == "connector.writeback.table" and "'NO_INBOX' not found" in issue.reason
    finally:
        await connector.close()


def test_sqlbss_writeback_mapping_is_validated(tmp_path):
    config = tomllib.loads(EXAMPLES["jiangnan"])["connector"]
    config["writeback"] = {**WRITEBACK["jiangnan"], "tabel": "X", "max_attempts": 0}
    with pytest.raises(ConfigError) as err:
        parse_mapping(config, tmp_path / "tenant.toml")
    assert {i.key for i in err.value.issues} == {"connector.writeback.tabel", "connector.writeback.max_attempts"}
    config["writeback"] = {**WRITEBACK["jiangnan"], "max_attempts": 4}
    assert parse_mapping(config, tmp_path / "tenant.toml").writeback.max_attempts == 4


def test_outbox_to_a_sqlbss_legacy_system(hall_factory, tmp_path):
    path = tmp_path / "legacy-jiangnan.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=10, style="jiangnan")
    config = tomllib.loads(EXAMPLES["jiangnan"])["connector"]
    config.update(url=f"sqlite:///{path}", writeback=WRITEBACK["jiangnan"])
    h = hall_factory([TenantSpec("jiangnan", connector=config)])
    ids = [emit_one(h, "jiangnan", payload={"n": i}) for i in range(3)]
    assert deliver(h, "jiangnan").delivered == 3
    h.run(h.hall.connector(h.tenant("jiangnan")).close())
    with closing(sqlite3.connect(path)) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT SJBH FROM JK_HXSJ")) == sorted(ids)
