"""Balances and payment_records take column names only: an expression there is named as one, with where to read,
instead of pydantic's "Input should be a valid string" (met in the "new province in 30 minutes" walk-through)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
from legacy_examples import EXAMPLES

from core.config import ConfigError
from plugins.sqlbss.mapping import parse_mapping

TENANT_FILE = Path("/srv/hall/tenants/np/tenant.toml")
LOOKUP = {"lookup": "T_ACCT", "key": "ACCT_ID", "from": "ACCT_ID", "value": "PAY_MODE_CODE"}


def issues(cfg: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    return {i.key: i.reason for i in info.value.issues}


def test_an_expression_in_balances_or_payment_records_is_named_as_one():
    cfg = copy.deepcopy(tomllib.loads(EXAMPLES["jiangnan"])["connector"])
    cfg["balances"] = {
        "table": "ZH_YE",
        "account": "HM",
        "balance": "YE",
        "billing": LOOKUP,
        "billing_map": {"0": "postpaid"},
    }
    cfg["payment_records"] = {
        "table": "T_PAYLOG",
        "key": "PAY_SERIAL",
        "account": "ACCT_ID",
        "amount": "RECV_FEE",
        "paid_at": "RECV_TIME",
        "month": {**LOOKUP, "value": "CYCLE_MONTH"},
    }
    found = issues(cfg)
    for key in ("connector.balances.billing", "connector.payment_records.month"):
        assert "a column name only" in found[key] and "{ lookup }" in found[key], found
        assert "valid string" not in found[key]


def test_plain_names_still_pass():
    cfg = copy.deepcopy(tomllib.loads(EXAMPLES["jiangnan"])["connector"])
    cfg["balances"] = {"table": "ZH_YE", "account": ["QH", "HM"], "balance": "YE"}
    assert parse_mapping(cfg, TENANT_FILE).balances.account == ["QH", "HM"]
