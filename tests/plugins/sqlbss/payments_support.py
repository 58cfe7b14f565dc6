"""A BSS with its own payments table, on SQLite, PostgreSQL or MariaDB, for the write-back-by-mapping tests.

The demo jiangnan database (customers, lines) plus ``JF_JFJL``, a payments
table as real BSSs keep one: a 20-character serial as primary key, the
account and number, the month, the amount twice (integer jiao and decimal
yuan), a channel code, the time as local text, an operator, a record type,
the line within the payment and a remark column where the hall's id goes.
Two counter payments are there already (made elsewhere). The mapping is
docs/examples/connector-jiangnan-payments.toml, added to the jiangnan example.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tomllib
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from legacy_examples import EXAMPLES

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.legacy_db import engine_url
from plugins.sqlbss.mapping import parse_mapping

CONFORMANCE = str(Path(__file__).resolve().parents[2] / "conformance")
if CONFORMANCE not in sys.path:
    sys.path.insert(0, CONFORMANCE)

from conformance_legacy import ENGINES, LegacyOnEngine, need_engine  # noqa: E402

PAYMENTS_DDL = """
CREATE TABLE JF_JFJL (
  LSH VARCHAR(20) NOT NULL PRIMARY KEY,
  ZH VARCHAR(20) NOT NULL,
  HM VARCHAR(20),
  YF VARCHAR(6),
  JE INTEGER NOT NULL,
  JEY DECIMAL(12,2) NOT NULL,
  QD VARCHAR(2) NOT NULL,
  JFSJ VARCHAR(14) NOT NULL,
  CZY VARCHAR(10),
  LX VARCHAR(2) NOT NULL,
  XH INTEGER,
  BZ VARCHAR(40)
)
"""
COUNTER_ROWS = [  # paid at the counter and at a bank on 2024-03-05 (Shanghai time): no hall reference
    (
        "GT2024030500000001",
        "JN00000002",
        "18037108038",
        "202402",
        500,
        "50.00",
        "01",
        "20240305093000",
        "ZS",
        "JF",
        1,
        "现金",
    ),
    ("YH2024030500000002", "JN00000003", None, "202402", 1234, "123.40", "02", "20240305141500", "BANK", "JF", 1, ""),
]

REPO = Path(__file__).resolve().parents[3]
WRITEBACK = (REPO / "docs" / "examples" / "connector-jiangnan-payments.toml").read_text(
    encoding="utf-8"
)  # the documented one

NUMBER, ACCOUNT = "13360875732", "JN00000001"  # a line of the demo database and its customer


def lower_keys(value):
    """As the hall's loader hands tenant.toml over: every key lower-cased."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def bss_config() -> dict:
    return lower_keys(tomllib.loads(EXAMPLES["jiangnan"] + WRITEBACK)["connector"])


def build_bss(path: Path) -> None:
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=6, style="jiangnan")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(PAYMENTS_DDL)
        conn.executemany(f"INSERT INTO JF_JFJL VALUES ({', '.join('?' * 12)})", COUNTER_ROWS)
        conn.commit()


class Bss(LegacyOnEngine):
    def connector(self, **changes):
        config = dict(self.config)
        for key, value in changes.items():
            config[key] = {**config[key], **value} if isinstance(value, dict) else value
        mapping = parse_mapping(config, self.tenant_file)
        return connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file)

    def rows(self, where: str = "1 = 1") -> list[dict]:
        """The payments table's rows (as plain Python values, text stripped), by serial."""
        engine = sa.create_engine(engine_url(self.config["url"], self.root))
        try:
            with engine.connect() as conn:
                found = conn.execute(sa.text(f"SELECT * FROM JF_JFJL WHERE {where} ORDER BY LSH")).mappings().all()
        finally:
            engine.dispose()
        return [{k.upper(): v.strip() if isinstance(v, str) else v for k, v in r.items()} for r in found]

    def execute(self, sql: str) -> None:
        engine = sa.create_engine(engine_url(self.config["url"], self.root))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()


@pytest.fixture(params=ENGINES)
def bss(request, tmp_path) -> Bss:
    need_engine(request.param)
    legacy = Bss(tmp_path, request.param, bss_config(), tmp_path / "tenant.toml")
    build_bss(legacy.path)
    asyncio.run(legacy.start())
    yield legacy
    asyncio.run(legacy.stop())
