"""An order without a category (a consultation) grouped by category: a dash, never the catalog header.

gettext("") answers the catalog's header ("Project-Id-Version: Hall 0.1.0 …"); the page and the CSV showed it
as a category.
"""

from __future__ import annotations

import csv
import io

from service_support import operator_client
from test_stats import _seed


def test_no_category_is_a_dash_not_the_catalog_header(world):
    harness, ids = world
    _seed(harness, ids)  # complaints with categories and one consultation without
    ann = operator_client(harness, "alpha", "ann")
    page = ann.get("/service/console/stats", params={"by": "category"})
    assert page.status_code == 200 and "账单与收费" in page.text
    assert "Project-Id-Version" not in page.text and "Content-Type: text/plain" not in page.text
    r = ann.get("/service/console/stats.csv", params={"by": "category"})
    assert r.status_code == 200 and "Project-Id-Version" not in r.text
    labels = {row["category"]: row["label"] for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
    assert (
        labels["billing"] == "账单与收费" and labels["network"] and labels[""] == ""
    )  # the consultation: no category, no label
    assert len(labels) == 3
