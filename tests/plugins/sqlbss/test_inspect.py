"""``hall connector inspect``: the report and the draft mapping on both demo legacy systems, and its errors."""

from __future__ import annotations

import datetime as dt
import tomllib

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import plugins.sqlbss as sqlbss
from core.testing import mariadb
from plugins.sqlbss.inspect import inspect_url
from plugins.sqlbss.inspect_draft import draft_toml
from plugins.sqlbss.inspect_guess import guess_column, mask
from plugins.sqlbss.mapping import parse_mapping

SECTIONS = ("customers", "numbers", "bills", "bill_items", "calls")


def url_of(billing) -> str:
    return f"sqlite:///{billing.path}"


def hall_cli() -> click.Group:
    """A root group with sqlbss's commands, as ``register_commands`` adds them to ``hall``."""
    group = click.Group("hall")
    sqlbss.register_commands(hall=None, cli=group)
    return group


def real_counts(billing) -> dict[str, int]:
    names = [r[0] for r in billing.sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: billing.sql(f'SELECT COUNT(*) FROM "{name}"')[0][0] for name in names}


def test_the_report_lists_every_table_with_its_row_count(billing):
    reports = inspect_url(url_of(billing))
    assert {r.name: r.rows for r in reports} == real_counts(billing)
    customers = next(r for r in reports if r.name == billing.config["customers"]["table"])
    key = billing.config["customers"]["key"]
    assert customers.primary_key == ([key] if isinstance(key, str) else key)


def test_it_guesses_the_money_of_bill_items_and_the_change_time_format(billing):
    cfg = billing.config
    reports = {r.name: r for r in inspect_url(url_of(billing))}
    item_amount = reports[cfg["bill_items"]["table"]].column(cfg["bill_items"]["amount"])
    assert item_amount.guess.money == cfg["bill_items"]["amount_format"]
    changed = reports[cfg["customers"]["table"]].column(cfg["customers"]["changed"])
    assert changed.guess.time == cfg["customers"]["changed_format"] and changed.guess.changed
    status = reports[cfg["customers"]["table"]].column(cfg["customers"]["status"])
    assert set(status.guess.codes) <= {str(code) for code in cfg["customers"]["status_map"]}


def test_samples_are_limited_and_id_numbers_masked(billing):
    cfg = billing.config["customers"]
    customers = inspect_url(url_of(billing), tables=[cfg["table"]], sample=3)
    assert [r.name for r in customers] == [cfg["table"]]
    ids = customers[0].column(cfg["id_number"])
    assert ids.guess.id_numbers and len(ids.samples) == 3
    assert all(s[6:14] == "********" for s in ids.samples)


def test_the_draft_is_toml_and_its_guesses_are_the_documented_mapping(billing, tmp_path):
    draft = tomllib.loads(draft_toml(url_of(billing), inspect_url(url_of(billing))))["connector"]
    real = billing.config
    assert draft["customers"]["table"] == real["customers"]["table"]
    assert draft["customers"]["key"] == real["customers"]["key"]
    for section in SECTIONS:  # every column name the draft guessed is the one the documented mapping uses
        for role, value in draft[section].items():
            if isinstance(value, (str, list)) and not role.endswith(("_format", "_map")) and role != "table_pattern":
                assert value == real[section][role], f"{section}.{role}"
        for role, value in draft[section].items():
            if role.endswith("_format"):
                assert value == real[section][role], f"{section}.{role}"
    # with the code maps a person fills in (here: the documented ones), the draft is a mapping the connector takes
    for section in SECTIONS:
        for role in [k for k in draft[section] if k.endswith("_map")]:
            assert set(draft[section][role]) <= {str(k) for k in real[section][role]}
            draft[section][role] = real[section][role]
    mapping = parse_mapping(draft, tmp_path / "tenant.toml")
    assert mapping.customers.table == real["customers"]["table"]


def test_the_command_prints_the_report_and_writes_the_draft(billing, tmp_path):
    out = tmp_path / "draft.toml"
    result = CliRunner().invoke(hall_cli(), ["connector", "inspect", url_of(billing), "--draft", str(out)])
    assert result.exit_code == 0, result.output
    for name, rows in real_counts(billing).items():
        assert f"{name}  ({rows} rows)" in result.output
    assert tomllib.loads(out.read_text(encoding="utf-8"))["connector"]["type"] == "sqlbss"


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql://nobody@127.0.0.1:1/nowhere", "cannot read postgresql://nobody@127.0.0.1:1/nowhere"),
        ("mssql+pymssql://user:secret@db.example/billing", "the driver 'pymssql'"),
        ("sqlite:///no/such/legacy.sqlite3", "no SQLite database at"),
        ("not a url", "not a database URL"),
    ],
)
def test_an_unusable_url_is_one_line_and_exit_code_2(url, says):
    result = CliRunner().invoke(hall_cli(), ["connector", "inspect", url])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_an_unknown_table_is_named_with_the_tables_there_are(make_billing):
    billing = make_billing("jiangnan", subscribers=5, months=1)
    result = CliRunner().invoke(hall_cli(), ["connector", "inspect", url_of(billing), "--table", "NO_SUCH"])
    assert result.exit_code == 2 and "no table no_such" in result.output and "KH_KHXX" in result.output


@pytest.mark.parametrize(
    "name, values, money, time",
    [
        ("FEE_JIAO", [12, 30], "jiao_int", None),
        ("FEE_LI", [1650, 200], "li_int", None),  # 厘: qianshan's TG_CDR_yymm
        ("LIMIT_FEE", [1650, 200], "fen_int", None),  # LI inside a word is not li
        ("AMOUNT", ["12.30", "7"], "yuan_text", None),
        ("BILL_AMT", [1.5, 2.25], "yuan", None),
        ("CUST_SEQ", [1711222200, 1711222201], None, None),  # epoch-sized numbers without a time name stay numbers
        ("CREATE_DT", [1711222200123, 1711222201000], None, "epoch_ms"),
        ("LAST_MOD", ["2024/03/23 12:40:00"], None, "text:%Y/%m/%d %H:%M:%S"),
        ("OPEN_DATE", [dt.date(2024, 3, 1)], None, "native"),
    ],
)
def test_money_and_time_guesses(name, values, money, time):
    guess = guess_column(name, sa.Integer() if isinstance(values[0], int) else sa.Text(), values)
    assert (guess.money, guess.time) == (money, time)


def test_masks():
    assert mask("33010819900101212X") == "330108********212X"
    assert mask("13912345678") == "139****5678"
    assert mask("王小明") == "王**" and mask("王小明", names=False) == "王小明"
    assert mask("ZF001") == "ZF001"


def test_on_mariadb(make_billing):
    if why := mariadb.unavailable():
        pytest.skip(why)
    billing = make_billing("haibin", subscribers=10, months=1)
    name = mariadb.create_database()
    try:
        mariadb.copy_sqlite(billing.path, name)
        reports = {r.name: r for r in inspect_url(mariadb.url_text(name))}
        assert {n: r.rows for n, r in reports.items()} == real_counts(billing)
        assert reports["ACC_BILL_ITEM"].column("AMOUNT").guess.money == "fen_int"
        assert reports["CRM_CUST"].column("UPD_TS").guess.time == "epoch"
        draft = tomllib.loads(draft_toml(mariadb.url_text(name), list(reports.values())))["connector"]
        assert draft["customers"]["key"] == ["AREA_NO", "CUST_SEQ"]
    finally:
        mariadb.drop_database(name)
