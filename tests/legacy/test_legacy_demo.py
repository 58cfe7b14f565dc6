"""The demo legacy BSS: valid, varied and deterministic data in two different schemas."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest
from stdnum.cn import ric

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db, update_some

SCHEMAS = {
    # style: (customers sql, lines sql, change-time column sql)
    "jiangnan": (
        "SELECT KHBH, KHMC, ZJHM, LXDH, DZYJ, ZT FROM KH_KHXX",
        "SELECT HM, KHBH, LX, ZT FROM YW_HMXX",
        "SELECT XGSJ FROM KH_KHXX",
    ),
    "haibin": (
        "SELECT AREA_NO || '-' || CUST_SEQ, CUST_NAME, CERT_NO, CONTACT_TEL, EMAIL_ADDR, STATE FROM CRM_CUST",
        "SELECT ACC_NBR, AREA_NO || '-' || CUST_SEQ, PROD_TYPE, SUBS_STATE FROM CRM_SUBS",
        "SELECT UPD_TS FROM CRM_CUST",
    ),
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
    a = generate_legacy_db(tmp_path / "a.sqlite3", end_month=FIXED_END_MONTH, seed=7, subscribers=150, style=style)
    b = generate_legacy_db(tmp_path / "b.sqlite3", end_month=FIXED_END_MONTH, seed=7, subscribers=150, style=style)
    c = generate_legacy_db(tmp_path / "c.sqlite3", end_month=FIXED_END_MONTH, seed=8, subscribers=150, style=style)
    assert a == b and dump(tmp_path / "a.sqlite3") == dump(tmp_path / "b.sqlite3")
    assert a != c and dump(tmp_path / "a.sqlite3") != dump(tmp_path / "c.sqlite3")


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_data_is_valid_and_varied(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, seed=3, subscribers=400, style=style)
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
    demo = generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=50, style=style)
    assert len(demo) == 5
    assert len(demo[0].numbers) == 3 and len(demo[1].numbers) == 2
    legacy = {r[0]: r for r in rows(path, SCHEMAS[style][0])}
    lines = rows(path, SCHEMAS[style][1])
    for person in demo:
        record = legacy[person.legacy_id]
        assert (
            record[1].strip() == person.name
            and record[2].upper() == person.id_number
            and ric.is_valid(person.id_number)
        )
        assert person.email and re.fullmatch(r"1\d{10}", person.phone)
        assert sorted(person.numbers) == sorted(n for n, owner, *_ in lines if owner == person.legacy_id)
        assert str(record[5]) in ("A", "1")  # active


def test_generation_overwrites(tmp_path):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=30, style="haibin")
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=20, style="jiangnan")
    assert [t for t, _ in dump(path)] == [
        "JK_HXSJ",
        "KH_KHXX",
        "YW_HMXX",
        "ZF_ZFXX",
        "ZH_YE",
        "ZY_XHHM",
    ]  # JK_HXSJ: the outbox inbox; ZH_YE: balances
    assert len(rows(path, "SELECT * FROM KH_KHXX")) == 20


def test_unknown_style(tmp_path):
    with pytest.raises(ValueError, match="unknown demo style"):
        generate_legacy_db(tmp_path / "x.sqlite3", end_month=FIXED_END_MONTH, style="nowhere")


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_update_some(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=100, style=style)
    before = {r[0]: r for r in rows(path, SCHEMAS[style][0])}
    newest = max(r[0] for r in rows(path, SCHEMAS[style][2]))
    changed = update_some(path, style, count=9, seed=4)
    assert len(set(changed)) == 9 and set(changed) <= set(before)
    assert len([r for r in rows(path, SCHEMAS[style][2]) if r[0] > newest]) == 9
    again = tmp_path / "again.sqlite3"
    generate_legacy_db(again, end_month=FIXED_END_MONTH, subscribers=100, style=style)
    assert update_some(again, style, count=9, seed=4) == changed
    assert dump(again) == dump(path)


# -- hall legacy-demo ----------------------------------------------------------------------
def legacy_demo(*args: str):
    from click.testing import CliRunner

    from core.cli import cli

    return CliRunner().invoke(cli, ["legacy-demo", *args])


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_legacy_demo_command(tmp_path, style):
    out = tmp_path / "out" / "legacy.sqlite3"
    args = [
        "--style",
        style,
        "--subscribers",
        "40",
        "--months",
        "1",
        "--end-month",
        "2024-05",
        "--seed",
        "5",
        "--output",
        str(out),
    ]
    result = legacy_demo(*args)
    assert result.exit_code == 0, result.output
    customers, lines, pool = {
        "jiangnan": ("KH_KHXX", "YW_HMXX", "ZY_XHHM"),
        "haibin": ("CRM_CUST", "CRM_SUBS", "RES_NBR_POOL"),
    }[style]
    assert f"{customers} 40" in result.output and f"{pool} 200" in result.output
    assert f"{lines} {len(rows(out, f'SELECT * FROM {lines}'))}" in result.output
    assert [p.name for p in out.parent.iterdir()] == ["legacy.sqlite3"]  # no partial file left behind
    first = dump(out)

    refused = legacy_demo(*args[:-1], str(out), "--seed", "6")
    assert refused.exit_code != 0 and "already exists" in refused.output and "--force" in refused.output
    assert dump(out) == first  # untouched

    again = tmp_path / "again.sqlite3"
    assert legacy_demo(*args[:-1], str(again)).exit_code == 0
    assert dump(again) == first  # the same seed gives the same content
    assert legacy_demo(*args, "--force", "--seed", "6").exit_code == 0
    assert dump(out) != first


def test_legacy_demo_refuses_bad_options(tmp_path):
    assert legacy_demo("--style", "nowhere", "--output", str(tmp_path / "x.sqlite3")).exit_code == 2
    assert legacy_demo("--style", "haibin").exit_code == 2  # --output is required
    assert not (tmp_path / "x.sqlite3").exists()


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_pool_and_line_flags_in_their_own_formats(tmp_path, style):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=300, style=style)
    if style == "jiangnan":
        pool = rows(path, "SELECT HM, HMLX, LHDJ, XHF, ZT FROM ZY_XHHM")
        assert {r[1] for r in pool} == {"YD", "GH"} and {r[2] for r in pool} == {"P", "C", "B", "A"}
        assert all(re.fullmatch(r"\d+\.\d\d", r[3]) for r in pool) and {r[4] for r in pool} == {"0", "1", "2"}
        flags = rows(path, "SELECT LX, CTKT, GJKT FROM YW_HMXX")
        assert {f for r in flags for f in r[1:]} == {"Y", "N"}
    else:
        pool = rows(path, "SELECT ACC_NBR, NBR_TYPE, LEVEL_CD, PRE_FEE_FEN, NBR_STATE FROM RES_NBR_POOL")
        assert {r[1] for r in pool} == {10, 11} and {r[2] for r in pool} == {1, 2, 3, 4}
        assert all(type(r[3]) is int for r in pool) and {r[4] for r in pool} == {1, 2, 3}
        flags = rows(path, "SELECT PROD_TYPE, LD_FLAG, IDD_FLAG FROM CRM_SUBS")
        assert {f for r in flags for f in r[1:]} == {0, 1}
    assert len(pool) == 200 and len({r[0] for r in pool}) == 200
