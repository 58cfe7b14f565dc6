"""Helpers for the lines and number-pool tests: a demo legacy system (SQLite, or a PostgreSQL copy) mapped by the documented examples.

Expected values are read from the generated SQLite file with plain SQL and
converted here by hand, independently of the connector, so a test compares the
port's answer with what the legacy rows really say.
"""

from __future__ import annotations

import datetime as dt
import decimal
import sqlite3
import tomllib
from pathlib import Path

from legacy_examples import EXAMPLES
from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, make_tenant, pg_url

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import CST, generate_legacy_db
from core.legacy.ports import LegacyServiceLine, PoolNumber
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"
ENGINES = ["sqlite", "postgres"] if ON_POSTGRES else ["sqlite"]


def lines_toml(style: str) -> str:
    return (DOCS / f"connector-{style}-lines.toml").read_text(encoding="utf-8")


def lines_config(style: str) -> dict:
    """The documented customer mapping plus the documented lines and pool mapping of one demo style."""
    return tomllib.loads(EXAMPLES[style] + "\n" + lines_toml(style))["connector"]


class LinesLegacy:
    """A demo legacy database of one style (on SQLite, or copied to PostgreSQL) and connectors onto it."""

    def __init__(self, root: Path, style: str, engine: str, subscribers: int = 60, seed: int = 1, pool: int = 400):
        self.root, self.style, self.engine = root, style, engine
        self.path = root / "var" / f"legacy-{style}.sqlite3"
        self.demo = generate_legacy_db(
            self.path, end_month=FIXED_END_MONTH, seed=seed, subscribers=subscribers, style=style, pool=pool
        )
        self.config = lines_config(style)
        self.tenant_file = make_tenant(style, root / "tenants" / style, self.config).path / "tenant.toml"
        self.pg_name: str | None = None
        self.made: list = []

    async def start(self) -> "LinesLegacy":
        if self.engine == "postgres":
            import psycopg

            self.pg_name = await create_pg_database()
            source = sqlite3.connect(self.path)
            with psycopg.connect(pg_url(self.pg_name), autocommit=True) as pg:
                for name, ddl in source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
                    pg.execute(ddl)  # unquoted: PostgreSQL folds the names to lower case
                    data = source.execute(f"SELECT * FROM {name}").fetchall()
                    if data:
                        pg.cursor().executemany(f"INSERT INTO {name} VALUES ({', '.join(['%s'] * len(data[0]))})", data)
            source.close()
            self.config["url"] = pg_url(self.pg_name)
        self.connector = self.connect()
        return self

    def connect(self, **sections):
        """A connector; ``sections`` replace keys of ``[connector.<section>]`` (a dotted section for nested tables)."""
        cfg = {**self.config, "lines": {**self.config["lines"]}, "number_pool": {**self.config["number_pool"]}}
        for section, changes in sections.items():
            *parents, last = section.split(".")
            table = cfg
            for parent in parents:
                table = table[parent]
            table[last] = {**table[last], **changes}
        mapping = parse_mapping(cfg, self.tenant_file)
        self.made.append(connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file))
        return self.made[-1]

    def sql(self, statement: str, *args) -> list:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(statement, args).fetchall()
        finally:
            conn.close()

    async def close(self) -> None:
        for connector in self.made:
            await connector.close()
        if self.pg_name:
            await drop_pg_database(self.pg_name)

    # -- what the legacy rows say, converted by hand -------------------------------------
    def expected_lines(self) -> list[LegacyServiceLine]:
        if self.style == "jiangnan":
            rows = self.sql(
                "SELECT HM, KHBH, LX, ZT, y.ZFBH, ZFMC, YZF, KTRQ, CTKT, GJKT FROM YW_HMXX y "
                "LEFT JOIN ZF_ZFXX z ON z.ZFBH = y.ZFBH ORDER BY HM"
            )
            kinds, statuses = (
                {"GH": "phone", "YD": "phone", "KD": "broadband", "BH": "account"},
                {"A": "active", "T": "suspended", "X": "closed"},
            )
            return [
                LegacyServiceLine(
                    n,
                    c,
                    kinds[k],
                    statuses[s],
                    t,
                    tn,
                    fee,
                    dt.datetime.strptime(o, "%Y%m%d").date(),
                    ld == "Y",
                    idd == "Y",
                )
                for n, c, k, s, t, tn, fee, o, ld, idd in rows
            ]
        rows = self.sql(
            "SELECT ACC_NBR, AREA_NO || '-' || CUST_SEQ, s.PROD_TYPE, SUBS_STATE, s.TARIFF_ID, TARIFF_NAME, MONTH_FEE_FEN, "
            "OPEN_TS, LD_FLAG, IDD_FLAG FROM CRM_SUBS s LEFT JOIN PM_TARIFF t ON t.TARIFF_ID = s.TARIFF_ID ORDER BY ACC_NBR"
        )
        kinds, statuses = (
            {10: "phone", 11: "phone", 20: "broadband", 30: "account"},
            {0: "active", 1: "suspended", 9: "closed"},
        )
        return [
            LegacyServiceLine(
                n,
                c,
                kinds[k],
                statuses[s],
                str(t),
                tn,
                fee,
                dt.datetime.fromtimestamp(o, CST).date(),
                ld == 1,
                idd == 1,
            )
            for n, c, k, s, t, tn, fee, o, ld, idd in rows
        ]

    def expected_pool(self) -> list[PoolNumber]:
        if self.style == "jiangnan":
            fen = lambda yuan: int(decimal.Decimal(yuan) * 100)  # noqa: E731
            grades, statuses = {"P": 0, "C": 1, "B": 2, "A": 3}, {"0": "free", "1": "reserved", "2": "taken"}
            return [
                PoolNumber(n, {"YD": "mobile", "GH": "fixed"}[k], a, grades[g], fen(p), fen(m), statuses[s])
                for n, k, a, g, p, m, s in self.sql("SELECT HM, HMLX, QH, LHDJ, XHF, ZDXF, ZT FROM ZY_XHHM ORDER BY HM")
            ]
        grades, statuses = {4: 0, 3: 1, 2: 2, 1: 3}, {1: "free", 2: "reserved", 3: "taken"}
        return [
            PoolNumber(n, {11: "mobile", 10: "fixed"}[k], a, grades[g], p, m, statuses[s])
            for n, k, a, g, p, m, s in self.sql(
                "SELECT ACC_NBR, NBR_TYPE, AREA_NO, LEVEL_CD, PRE_FEE_FEN, MIN_CONSUME_FEN, "
                "NBR_STATE FROM RES_NBR_POOL ORDER BY ACC_NBR"
            )
        ]
