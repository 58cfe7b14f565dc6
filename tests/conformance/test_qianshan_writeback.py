"""The qianshan tenant's write-back into T_PAYLOG, for a fixed line: its number is area code + local number
('0412' + '2713200'), which no column of T_USER holds, so a refund must find its account by the account the
payment names, not by looking the number up in T_USER.SERIAL_NUMBER (found by the "new province in 30
minutes" walk-through, docs/connectors.md). The same events for a mobile line worked before and still do.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tomllib
from contextlib import closing

from conformance_legacy import REPO

from core.demo.era import FIXED_END_MONTH
from core.demo.qianshan import generate_qianshan_db
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

TENANT_FILE = REPO / "tenants" / "qianshan" / "tenant.toml"


def lower_keys(value):
    """As the hall's loader hands tenant.toml over: every key lower-cased."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def first_line(path, net_type: str) -> tuple[str, str]:
    """(the number customers type, its paying account) of the first open line of this type."""
    with closing(sqlite3.connect(path)) as db:
        area, serial, account = db.execute(
            "SELECT AREA_CODE, SERIAL_NUMBER, ACCT_ID FROM T_USER WHERE NET_TYPE_CODE = ? AND REMOVE_TAG = '0' "
            "ORDER BY USER_ID LIMIT 1",
            (net_type,),
        ).fetchone()
    return (area.strip() + serial if net_type == "10" else serial), str(account)


def hall_rows(path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT ACCT_ID, RECV_FEE, PAY_CHANNEL, OUTER_TRADE_ID FROM T_PAYLOG WHERE PAY_CHANNEL = '15' "
            "ORDER BY RECV_TIME"
        ).fetchall()


def payment(number: str, account: str) -> dict:
    return {
        "intent_id": "pi" + "a" * 28,
        "purpose": "topup",
        "owner": "topup",
        "reference": "topup",
        "customer_id": "",
        "amount_fen": 5000,
        "currency": "CNY",
        "provider": "alipay",
        "provider_ref": "2026120622001",
        "paid_at": "2026-12-06T04:05:00+00:00",
        "metadata": {"number": number, "account": account},
    }


def test_a_fixed_line_top_up_and_its_refund_reach_t_paylog(tmp_path):
    path = tmp_path / "qianshan.sqlite3"
    generate_qianshan_db(path, end_month=FIXED_END_MONTH, seed=11, customers=30, months=2)
    config = lower_keys(tomllib.loads(TENANT_FILE.read_text(encoding="utf-8"))["connector"])
    config["url"] = f"sqlite:///{path}"
    mapping = parse_mapping(config, tmp_path / "tenant.toml")
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=tmp_path / "tenant.toml")
    number, account = first_line(path, "10")
    assert number.startswith("0") and len(number) >= 10  # area code + local number

    async def go():
        try:
            paid = payment(number, account)
            await connector.write_event("00000000-0000-4000-8000-000000000001", "payment.posted", paid)
            refund = {**paid, "refund_id": "rf" + "b" * 28, "amount_fen": 1000, "payment_amount_fen": 5000}
            refund["refunded_at"] = "2026-12-06T05:00:00+00:00"
            await connector.write_event("00000000-0000-4000-8000-000000000002", "payment.refunded", refund)
        finally:
            await connector.close()

    asyncio.run(go())
    assert [(str(a), str(fee), ch, ref) for a, fee, ch, ref in hall_rows(path)] == [
        (account, "50", "15", "pi" + "a" * 28),
        (account, "-10", "15", "rf" + "b" * 28),
    ]
