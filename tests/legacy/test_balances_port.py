"""The sqlbss ``balances`` port on both demo legacy systems: SQLite, a PostgreSQL copy (HALL_TEST_DB=postgres), MariaDB.

Expected figures are read from the generated SQLite file with plain SQL and
converted by hand, so the port's answer is compared with what the rows say.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest
from legacy_examples import EXAMPLES
from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, make_tenant, pg_url

from core.api import ConfigError
from core.config.loader import _dynaconf_dict
from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import CST, generate_legacy_db
from core.legacy.ports import PORTS, BalanceSource, LegacyBalance, missing_ports
from core.testing import mariadb
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "examples"
TENANT_FILE = Path("/srv/hall/tenants/jn/tenant.toml")
ENGINES = ["sqlite", "postgres", "mariadb"]
STAMP = dt.datetime(2024, 6, 2, 3, 0, tzinfo=CST)  # the demo's nightly balance run after FIXED_END_MONTH


def balances_toml(style: str) -> str:
    return (DOCS / f"connector-{style}-balances.toml").read_text(encoding="utf-8")


def config_of(style: str) -> dict:
    return tomllib.loads(EXAMPLES[style] + "\n" + balances_toml(style))["connector"]


class BalancesLegacy:
    """A demo legacy database of one style with bills and balances, on one engine, and connectors onto it."""

    def __init__(self, root: Path, style: str, engine: str):
        self.root, self.style, self.engine = root, style, engine
        self.path = root / "var" / f"legacy-{style}.sqlite3"
        generate_legacy_db(self.path, end_month=FIXED_END_MONTH, seed=3, subscribers=40, style=style, months=2)
        self.config = config_of(style)
        self.tenant_file = make_tenant(style, root / "tenants" / style, self.config).path / "tenant.toml"
        self.pg_name = self.maria_name = None
        self.made: list = []

    async def start(self) -> "BalancesLegacy":
        if self.engine == "postgres":
            import psycopg

            self.pg_name = await create_pg_database()
            with (
                closing(sqlite3.connect(self.path)) as source,
                psycopg.connect(pg_url(self.pg_name), autocommit=True) as pg,
            ):
                for name, ddl in source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
                    pg.execute(ddl)
                    data = source.execute(f"SELECT * FROM {name}").fetchall()
                    if data:
                        pg.cursor().executemany(f"INSERT INTO {name} VALUES ({', '.join(['%s'] * len(data[0]))})", data)
            self.config["url"] = pg_url(self.pg_name)
        elif self.engine == "mariadb":
            self.maria_name = mariadb.create_database()
            mariadb.copy_sqlite(self.path, self.maria_name)
            self.config["url"] = mariadb.url_text(self.maria_name)
        else:
            self.config["url"] = f"sqlite:///{self.path}"
        return self

    def connect(self, **changes):
        cfg = copy.deepcopy(self.config)
        cfg["balances"].update(changes)
        mapping = parse_mapping(cfg, self.tenant_file)
        self.made.append(connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file))
        return self.made[-1]

    def sql(self, statement: str, *args) -> list:
        with closing(sqlite3.connect(self.path)) as conn:
            return conn.execute(statement, args).fetchall()

    async def close(self) -> None:
        for connector in self.made:
            await connector.close()
        if self.pg_name:
            await drop_pg_database(self.pg_name)
        if self.maria_name:
            mariadb.drop_database(self.maria_name)

    def expected(self) -> dict[str, LegacyBalance]:
        if self.style == "jiangnan":
            rows = self.sql("SELECT HM, FFLX, YE, GXSJ FROM ZH_YE")
            return {
                n: LegacyBalance(
                    n,
                    int(decimal.Decimal(ye) * 100),
                    dt.datetime.strptime(t, "%Y%m%d%H%M%S").replace(tzinfo=CST),
                    {"H": "postpaid", "Y": "prepaid"}[f],
                )
                for n, f, ye, t in rows
            }
        rows = self.sql("SELECT ACC_NBR, PAY_MODE, BALANCE_FEN, UPD_TS FROM ACC_BALANCE")
        return {
            n.strip(): LegacyBalance(
                n.strip(), fen, dt.datetime.fromtimestamp(ts, dt.timezone.utc), {1: "postpaid", 2: "prepaid"}[m]
            )
            for n, m, fen, ts in rows
        }

    def owed(self) -> dict[str, int]:
        if self.style == "jiangnan":
            rows = self.sql("SELECT HM, ZJE, YJE FROM ZD_ZDXX WHERE ZT IN ('W', 'B')")
            rows = [(n, int(decimal.Decimal(a) * 100), int(decimal.Decimal(p) * 100)) for n, a, p in rows]
        else:
            rows = self.sql("SELECT ACC_NBR, AMOUNT, PAID FROM ACC_BILL WHERE PAY_STATE IN (0, 2)")
        out: dict[str, int] = {}
        for n, a, p in rows:
            out[n] = out.get(n, 0) + a - p
        return out


@pytest.fixture(params=[(s, e) for s in ("jiangnan", "haibin") for e in ENGINES], ids="-".join)
async def legacy(request, tmp_path):
    style, engine = request.param
    if engine == "postgres" and not ON_POSTGRES:
        pytest.skip("a PostgreSQL legacy database needs HALL_TEST_DB=postgres")
    if engine == "mariadb" and (why := mariadb.unavailable()):
        pytest.skip(f"a MariaDB legacy database: {why}")
    source = await BalancesLegacy(tmp_path, style, engine).start()
    yield source
    await source.close()


async def test_balances_in_hall_units_with_the_bss_time(legacy):
    connector = legacy.connect()
    assert isinstance(connector, BalanceSource)
    assert await connector.problems() == []
    expected = legacy.expected()
    owed = legacy.owed()
    assert {b.billing for b in expected.values()} == {"postpaid", "prepaid"}
    for number, want in expected.items():
        got = await connector.balance_of(number)
        assert got == want and got.as_of == STAMP
        assert got.balance_fen == (-owed.get(number, 0) if got.billing == "postpaid" else got.balance_fen)
        assert got.billing == "postpaid" or got.balance_fen > 0
    assert any(b.balance_fen < 0 for b in expected.values())


async def test_unknown_blank_and_padded_accounts(legacy):
    connector = legacy.connect()
    number = next(iter(legacy.expected()))
    assert await connector.balance_of("00000000000") is None
    assert await connector.balance_of("   ") is None
    assert (await connector.balance_of(f" {number}  ")).account == number  # stripped; CHAR(20) in haibin is padded


async def test_a_value_that_does_not_convert_is_a_problem_naming_the_key(legacy):
    wrong = "fen_int" if legacy.style == "jiangnan" else "yuan_text"  # "-58.30" is no integer; an integer is no text
    connector = legacy.connect(balance_format=wrong)
    owing = next(n for n, b in legacy.expected().items() if b.balance_fen % 100)
    got = await connector.balance_of(owing)
    assert "connector.balances.balance_format" in got.problem and str(TENANT_FILE.name) in got.problem
    keys = {i.key for i in await connector.problems()}
    assert "connector.balances.balance_format" in keys


async def test_unmapped_billing_codes_are_reported(legacy):
    code = "H" if legacy.style == "jiangnan" else "1"
    other = "Y" if legacy.style == "jiangnan" else "2"
    connector = legacy.connect(billing_map={other: "prepaid"})
    postpaid = next(n for n, b in legacy.expected().items() if b.billing == "postpaid")
    got = await connector.balance_of(postpaid)
    assert "connector.balances.billing_map" in got.problem
    found = {i.key: i.reason for i in await connector.problems()}
    assert repr(code) in found["connector.balances.billing_map"]


async def test_without_as_of_or_billing_the_figure_is_as_of_the_look_up_and_the_default_billing(legacy):
    connector = legacy.connect(as_of=None, billing=None, billing_map={}, default_billing="prepaid")
    number, want = next(iter(legacy.expected().items()))
    before = dt.datetime.now(dt.timezone.utc)
    got = await connector.balance_of(number)
    assert got.balance_fen == want.balance_fen and got.billing == "prepaid" and got.as_of >= before


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_examples_parse_survive_the_loader_and_are_the_tenants(tmp_path, style):
    mapping = parse_mapping(config_of(style), TENANT_FILE)
    assert set(mapping.balances.billing_map.values()) == {"postpaid", "prepaid"}
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + EXAMPLES[style] + "\n" + balances_toml(style), encoding="utf-8")
    loaded = parse_mapping(_dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"], tenant_toml)
    assert loaded.balances == mapping.balances
    repo_tenant = REPO / "tenants" / style / "tenant.toml"
    ours = parse_mapping(tomllib.loads(repo_tenant.read_text(encoding="utf-8"))["connector"], repo_tenant)
    assert ours.balances == mapping.balances


def test_the_port_follows_the_section(tmp_path):
    assert PORTS["balances"] is BalanceSource
    full = config_of("jiangnan")
    for cfg, on in [(full, True), ({k: v for k, v in full.items() if k != "balances"}, False)]:
        mapping = parse_mapping(cfg, TENANT_FILE)
        connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=TENANT_FILE)
        assert isinstance(connector, BalanceSource) is on
        assert missing_ports(connector, [BalanceSource]) == ([] if on else ["balances"])


def test_static_mistakes_name_the_key():
    broken = copy.deepcopy(config_of("jiangnan"))
    broken["balances"]["billing_map"] = {}
    broken["balances"]["balance_format"] = "cents"
    broken["balances"]["colour"] = "YS"
    with pytest.raises(ConfigError) as info:
        parse_mapping(broken, TENANT_FILE)
    keys = {i.key: i.reason for i in info.value.issues}
    assert "unknown key" in keys["connector.balances.colour"]
    assert "connector.balances.balance_format" in keys
    del broken["balances"]["colour"]
    broken["balances"]["balance_format"] = "yuan_text"
    with pytest.raises(ConfigError) as info:
        parse_mapping(broken, TENANT_FILE)
    assert [(i.key, i.reason) for i in info.value.issues] == [
        ("connector.balances", "billing_map is required when billing is set (legacy code -> postpaid|prepaid)")
    ]


async def test_a_composite_account_key(tmp_path):
    path = tmp_path / "bss.sqlite3"
    with closing(sqlite3.connect(path)) as conn, conn:
        generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=5, style="haibin")
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "CREATE TABLE ACCT_BAL (AREA_NO TEXT, ACCT_SEQ INTEGER, BAL_YUAN NUMERIC, PRIMARY KEY (AREA_NO, ACCT_SEQ))"
        )
        conn.execute("INSERT INTO ACCT_BAL VALUES ('0532', 17, -12.5), ('0532', 18, 3)")
    cfg = {
        **tomllib.loads(EXAMPLES["haibin"])["connector"],
        "url": f"sqlite:///{path}",
        "balances": {
            "table": "ACCT_BAL",
            "account": ["AREA_NO", "ACCT_SEQ"],
            "balance": "BAL_YUAN",
            "balance_format": "yuan",
        },
    }
    tenant_file = make_tenant("hb", tmp_path / "tenants" / "hb", cfg).path / "tenant.toml"
    mapping = parse_mapping(cfg, tenant_file)
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=tenant_file)
    try:
        assert (await connector.balance_of("0532-17")).balance_fen == -1250
        assert (await connector.balance_of("0532-18")).billing == "postpaid"
        assert await connector.balance_of("0532-x") is None and await connector.balance_of("0532") is None
        assert await connector.problems() == []
    finally:
        await connector.close()
