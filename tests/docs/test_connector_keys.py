"""Every key of the sqlbss mapping is documented in docs/connectors.md: the "Every key" lists stay complete.

A key counts as documented when the page names it with its section
(`` `bills.amount_format` ``), or, for the sections whose table lists bare
names (``[connector]``, customers, numbers, writeback, accounts), in that table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.sqlbss.mapping import CustomersMap, NumbersMap, SqlBssMapping  # first: it imports the section modules
from plugins.sqlbss.billing_mapping import BillItemsMap, BillsMap, CallsMap
from plugins.sqlbss.lines_mapping import LinesMap, PoolMap, TariffsMap
from plugins.sqlbss.writeback_map import WritebackMap
from plugins.sqlbss.accounts_mapping import AccountsMap
from plugins.sqlbss.payments_map import PaymentRecordsMap
from plugins.sqlbss.catalog_mapping import CatalogMap

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "connectors.md").read_text(encoding="utf-8")
SECTIONS = {
    "": SqlBssMapping,
    "customers": CustomersMap,
    "numbers": NumbersMap,
    "bills": BillsMap,
    "bill_items": BillItemsMap,
    "calls": CallsMap,
    "lines": LinesMap,
    "lines.tariffs": TariffsMap,
    "number_pool": PoolMap,
    "writeback": WritebackMap,
    "accounts": AccountsMap,
    "payment_records": PaymentRecordsMap,
    "catalog": CatalogMap,
}
TABLES = {  # where a section's table of bare key names starts
    "": "`[connector]`\n",
    "customers": "`[connector.customers]`\n",
    "numbers": "`[connector.numbers]`\n",
    "writeback": "### The `writeback` port in `sqlbss`",
    "accounts": "`[connector.accounts]`\n",
    "payment_records": "The example above maps `JF_JFJL`.\n",
    "catalog": "maps the table; the port exists only",
}


def _table(section: str) -> str:
    start = PAGE.index(TABLES[section])
    end = PAGE.find("\n\n`[connector", start + len(TABLES[section]))
    return PAGE[start : end if end > 0 else None].split("\n### ")[0]


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s or "connector")
def test_every_key_is_documented(section):
    model = SECTIONS[section]
    keys = [k for k in model.model_fields if f"{section}.{k}".strip(".") not in SECTIONS]  # sub-tables are sections
    table = _table(section) if section in TABLES else ""
    missing = [
        k for k in keys if f"`{section}.{k}`" not in PAGE and f"| `{k}`" not in table and f", `{k}`" not in table
    ]
    assert not missing, f"docs/connectors.md does not document connector.{section or '<top>'} key(s) {missing}"
