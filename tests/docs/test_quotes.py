"""Code quoted in the docs with a path (```toml docs/examples/connector-haibin.toml) is really in that file.

docs/tutorial.md is checked by test_tutorial_plugin.py (its paths are relative to docs/tutorial/).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUOTE = re.compile(r"^```\w+ (\S+)\n(.*?)^```$", re.M | re.S)
PAGES = sorted(p for p in (REPO / "docs").glob("*.md") if p.name != "tutorial.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_quoted_excerpts_are_in_their_files(page):
    for path, text in QUOTE.findall(page.read_text(encoding="utf-8")):
        source = REPO / path
        assert source.is_file(), f"{page.name} quotes {path}, which does not exist"
        assert text in source.read_text(encoding="utf-8"), (
            f"{page.name}: the excerpt of {path} is not in that file (any more)"
        )


def test_connectors_page_quotes_both_examples():
    quoted = {path for path, _ in QUOTE.findall((REPO / "docs" / "connectors.md").read_text(encoding="utf-8"))}
    assert {"docs/examples/connector-jiangnan.toml", "docs/examples/connector-haibin.toml"} <= quoted
