"""Charge names in the reader's language: the tenant's code map names items per language, the legacy name is the fallback."""

from __future__ import annotations

from bills_support import build, customer_client

NAMES = {
    "YZF": {"zh_CN": "月租费", "en": "Monthly fee"},
    "ctf": {"zh_CN": "长途通话费", "en": "Long-distance calls"},
    "GJF": {"zh_CN": "国际长途费", "en": "International calls"},
}


def test_the_english_tenant_reads_english_charge_names_and_the_chinese_one_chinese(hall_factory):
    harness, ids = build(hall_factory)
    for tid in ("alpha", "beta"):
        harness.connectors[tid].names = {"bill_items": NAMES}
    english = customer_client(harness, ids, "beta").get("/bills/").text
    assert "Monthly fee" in english and "Long-distance calls" in english and "International calls" in english
    assert "月租费" not in english and "长途通话费" not in english and "国际长途费" not in english
    assert "市话费" in english, "a code without a name in the map keeps the legacy system's name"
    chinese = customer_client(harness, ids, "alpha").get("/bills/").text
    assert "月租费" in chinese and "长途通话费" in chinese and "Monthly fee" not in chinese


def test_without_a_name_map_the_legacy_names_are_shown(hall_factory):
    harness, ids = build(hall_factory)
    page = customer_client(harness, ids, "beta").get("/bills/").text
    assert "月租费" in page and "Monthly fee" not in page
