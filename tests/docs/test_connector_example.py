"""The worked example of docs/connectors.md ("Onboarding a new legacy system") is the tested one.

The page embeds docs/examples/connector-lakeside.toml whole, and
tests/conformance/test_lakeside.py copies that same file, unchanged, into the
tenant folder it brings live; so the walk-through cannot drift from what runs.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from plugins.sqlbss.mapping import parse_mapping

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "docs/examples/connector-lakeside.toml"
BLOCK = re.compile(r"^```toml (\S+)\n(.*?)^```$", re.M | re.S)


def test_the_page_embeds_the_whole_example_file():
    page = (REPO / "docs" / "connectors.md").read_text(encoding="utf-8")
    embedded = [text for path, text in BLOCK.findall(page) if path == EXAMPLE]
    assert len(embedded) == 1, f"docs/connectors.md should quote {EXAMPLE} once"
    assert embedded[0] == (REPO / EXAMPLE).read_text(encoding="utf-8"), (
        f"the copy of {EXAMPLE} in docs/connectors.md differs from the file"
    )


def test_the_go_live_test_uses_the_example_file_verbatim():
    source = (REPO / "tests" / "conformance" / "test_lakeside.py").read_text(encoding="utf-8")
    assert 'EXAMPLE = REPO / "docs" / "examples" / "connector-lakeside.toml"' in source
    assert "text = EXAMPLE.read_text(" in source and "legacy.tenant_file.write_text(text" in source


def test_the_example_is_a_valid_tenant_file():
    config = tomllib.loads((REPO / EXAMPLE).read_text(encoding="utf-8"))
    assert set(config) == {"tenant", "connector"}, "a tenant file with nothing but [tenant] and [connector]"
    mapping = parse_mapping(config["connector"], REPO / EXAMPLE)
    assert mapping.customers.key == ["REGION_CD", "CUST_NO"] and mapping.calls.table_pattern == "CDR_{yyyymm}"
