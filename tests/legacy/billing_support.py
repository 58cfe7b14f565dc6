"""Helpers for the bill and call-record tests: demo legacy systems with months of billing, mapped by config alone."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

from legacy_examples import EXAMPLES
from legacy_support import make_tenant

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from plugins.sqlbss.billing import connector_class
from plugins.sqlbss.mapping import parse_mapping

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"


def billing_toml(style: str) -> str:
    return (DOCS / f"connector-{style}-billing.toml").read_text(encoding="utf-8")


def full_config(style: str) -> dict:
    """The documented customer mapping plus the documented billing mapping of one demo style."""
    return tomllib.loads(EXAMPLES[style] + "\n" + billing_toml(style))["connector"]


class BillingLegacy:
    """A demo legacy database with ``months`` of bills and call records, a tenant, and connectors onto it."""

    def __init__(self, root: Path, style: str, subscribers: int, months: int, seed: int = 1):
        self.root, self.style = root, style
        self.path = root / "var" / f"legacy-{style}.sqlite3"
        generate_legacy_db(
            self.path, end_month=FIXED_END_MONTH, seed=seed, subscribers=subscribers, style=style, months=months
        )
        self.config = full_config(style)
        self.tenant = make_tenant(style, root / "tenants" / style, self.config)
        self.tenant_file = self.tenant.path / "tenant.toml"
        self.made: list = []
        self.connector = self.connect()

    def connect(self, **sections):
        """A connector on this database; ``sections`` replace keys of ``[connector.<section>]``."""
        cfg = {**self.config}
        for section, changes in sections.items():
            cfg[section] = {**cfg[section], **changes}
        mapping = parse_mapping(cfg, self.tenant_file)
        self.made.append(connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file))
        return self.made[-1]

    def sql(self, statement: str, *args) -> list:
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                return conn.execute(statement, args).fetchall()
        finally:
            conn.close()

    def count_calls(self) -> int:
        if self.style == "haibin":
            return self.sql("SELECT COUNT(*) FROM BIL_CDR")[0][0]
        tables = [r[0] for r in self.sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'HD_%'")]
        return sum(self.sql(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables)

    def count_bills(self) -> int:
        return self.sql(f"SELECT COUNT(*) FROM {self.config['bills']['table']}")[0][0]

    async def close(self) -> None:
        for connector in self.made:
            await connector.close()
