"""The demo legacy BSS: valid, varied and deterministic data in two different schemas."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest
from stdnum.cn import ric

from core.legacy.demo import generate_legacy_db, update_some

SCHEMAS = {
    # style: (customers sql, lines sql, change-time column sql)
    "jiangnan": ("SELECT KHBH, KHMC, ZJHM, LXDH, DZYJ, ZT FROM KH_KHXX", "SELECT HM, KHBH, LX, ZT FROM YW_HMXX",
                 "SELECT XGSJ FROM KH_KHXX"),
    "haibin": ("SELECT AREA_NO || '-' || CUST_SEQ, CUST_NAME, CERT_NO, CONTACT_TEL, EMAIL_ADDR, STATE FROM CRM_CUST",
               "SELECT ACC_NBR, AREA_NO || '-' || CUST_SEQ, PROD_TYPE, SUBS_STATE FROM CRM_SUBS", "SELECT UPD_TS FROM CRM_CUST"),
}


def dump(path) -> list:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()) for t in tables]
    finally:
        conn.close()


def rows(path, sql) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_same_seed_same_database(tmp_path, style):
    a = generate_legacy_db(tmp_path / "a.sqlite3", seed=7, subscribers=150, style=style)
    b = generate_legacy_db(tmp_path / "b.sqlite3", seed=7, subscribers=150, style=style)
    c = generate_legacy_db(tmp_path / "c.sqlite3", seed=8, subscribers=150, style=style)
    assert a == b and dump(tmp_path / "a.sqlite3") == dump(tmp_path / "b.sqlite3")
    assert a != c and dump(tmp_path / "a.sqlite3") != dump(tmp_path / "c.sqlite3")


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_data_is_valid_and_varied(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, seed=3, subscribers=400, style=style)
    customers_sql, lines_sql, changed_sql = SCHEMAS[style]
    customers = rows(path, customers_sql)
    lines = rows(path, lines_sql)
    assert len(customers) == 400
    ids = [c[2] for c in customers]
    assert all(ric.is_valid(i) for i in ids), [i for i in ids if not ric.is_valid(i)][:3]
    assert all(len(i) == 18 for i in ids) and len(set(i.upper() for i in ids)) == len(ids)
    assert all(c[1].strip() for c in customers)
    assert all(re.fullmatch(r"1[3-9]\d{9}", c[3]) for c in customers)  # contact mobiles: 11 digits
    assert 0.75 < sum(bool(c[4]) for c in customers) / len(customers) < 0.95  # e-mail for most
    assert len(set(c[4] for c in customers if c[4])) == sum(bool(c[4]) for c in customers)
    per_customer = Counter(line[1] for line in lines)
    assert set(per_customer.values()) == {1, 2, 3}
    assert len({line[0] for line in lines}) == len(lines)  # service numbers are unique
    landlines = [n for n, *_ in lines if re.fullmatch(r"0\d{3}8\d{7}", n)]
    mobiles = [n for n, *_ in lines if re.fullmatch(r"1[3-9]\d{9}", n)]
    assert landlines and mobiles
    assert len({c[5] for c in customers}) == 3 and len({line[2] for line in lines}) == 4
    changed = Counter(r[0] for r in rows(path, changed_sql))
    assert changed.most_common(1)[0][1] > 50  # a bulk change time shared by many: what watermarks must survive


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_demo_customers_can_sign_up(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    demo = generate_legacy_db(path, subscribers=50, style=style)
    assert len(demo) == 5
    assert len(demo[0].numbers) == 3 and len(demo[1].numbers) == 2
    legacy = {r[0]: r for r in rows(path, SCHEMAS[style][0])}
    lines = rows(path, SCHEMAS[style][1])
    for person in demo:
        record = legacy[person.legacy_id]
        assert record[1].strip() == person.name and record[2].upper() == person.id_number and ric.is_valid(person.id_number)
        assert person.email and re.fullmatch(r"1\d{10}", person.phone)
        assert sorted(person.numbers) == sorted(n for n, owner, *_ in lines if owner == person.legacy_id)
        assert str(record[5]) in ("A", "1")  # active


def test_generation_overwrites(tmp_path):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, subscribers=30, style="haibin")
    generate_legacy_db(path, subscribers=20, style="jiangnan")
    assert [t for t, _ in dump(path)] == ["JK_HXSJ", "KH_KHXX", "YW_HMXX", "ZF_ZFXX", "ZY_XHHM"]  # JK_HXSJ: the outbox inbox
    assert len(rows(path, "SELECT * FROM KH_KHXX")) == 20


def test_unknown_style(tmp_path):
    with pytest.raises(ValueError, match="unknown demo style"):
        generate_legacy_db(tmp_path / "x.sqlite3", style="nowhere")


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_update_some(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, subscribers=100, style=style)
    before = {r[0]: r for r in rows(path, SCHEMAS[style][0])}
    newest = max(r[0] for r in rows(path, SCHEMAS[style][2]))
    changed = update_some(path, style, count=9, seed=4)
    assert len(set(changed)) == 9 and set(changed) <= set(before)
    assert len([r for r in rows(path, SCHEMAS[style][2]) if r[0] > newest]) == 9
    again = tmp_path / "again.sqlite3"
    generate_legacy_db(again, subscribers=100, style=style)
    assert update_some(again, style, count=9, seed=4) == changed
    assert dump(again) == dump(path)
