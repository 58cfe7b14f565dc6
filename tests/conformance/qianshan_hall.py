"""What the qianshan go-live test reads from the hall and the BSS, and the hall payments it writes back.

Helpers of tests/conformance/test_qianshan.py: the hall's synced rows
(accounts, lines, bills with items, calls), a bill payment and a top-up
emitted as ``payment.posted`` outbox events in billpay's and topup's shapes
and delivered twice, and the T_PAYLOG rows they became.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from core.auth.tables import BillingAccount, ServiceNumber
from core.db import transaction
from core.demo.qianshan import legacy_engine
from core.demo.qianshan_schema import metadata
from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.legacy.outbox import deliver_due, emit
from core.legacy.outbox_tables import OutboxEvent
from core.testing import HallHarness

TENANT = "qianshan"


class HallView:
    """The hall's synced qianshan rows, read once."""

    def __init__(self, harness: HallHarness):
        def rows(table, *columns):
            return harness.in_tenant(TENANT, lambda: table.select(*columns))

        self.accounts = {r["legacy_id"]: r for r in rows(BillingAccount)}
        self.numbers = {r["number"]: r for r in rows(ServiceNumber)}
        self.bills = {r["legacy_id"]: r for r in rows(Bill)}
        self.items = defaultdict(list)
        for item in rows(BillItem):
            self.items[item["bill_legacy_id"]].append(item)
        self.calls = {r["legacy_id"]: r for r in rows(CallRecord, CallRecord.legacy_id, CallRecord.number)}

    def numbers_of(self, account: str) -> set[str]:
        return {n for n, r in self.numbers.items() if r["account_legacy_id"] == account}


def pay_and_top_up(harness: HallHarness, bill: dict, number: str, top_up: tuple[str, str], paid_at: dt.datetime):
    """A bill payment (billpay's metadata) and a top-up (topup's), emitted and delivered - twice; returns the intents."""
    stamp = paid_at.isoformat()
    owed = bill["amount_fen"] - bill["paid_fen"]
    common = {"owner": "", "reference": "", "customer_id": "", "currency": "CNY", "provider": "alipay"}
    bill_pay = {
        **common,
        "intent_id": "pi" + "b" * 28,
        "purpose": "bill",
        "amount_fen": owed,
        "provider_ref": "2026120622001400000001",
        "paid_at": stamp,
        "metadata": {
            "number": number,
            "bills": [
                {
                    "bill_id": bill["legacy_id"],
                    "month": bill["month"],
                    "amount_fen": owed,
                    "paid_before_fen": bill["paid_fen"],
                }
            ],
        },
    }
    topup = {
        **common,
        "intent_id": "pi" + "t" * 28,
        "purpose": "topup",
        "amount_fen": 5000,
        "provider_ref": "2026120622001400000002",
        "paid_at": stamp,
        "metadata": {"number": top_up[0], "account": top_up[1]},
    }

    async def post():
        async with transaction():
            await emit("payment.posted", bill_pay)
            await emit("payment.posted", topup)

    async def again():  # a worker wrote the rows, then died before marking the events sent
        await OutboxEvent.update({OutboxEvent.status: "pending", OutboxEvent.claimed_at: None}, force=True)

    harness.in_tenant(TENANT, post)
    first = harness.in_tenant(TENANT, deliver_due, harness.hall, TENANT)
    assert (first.delivered, first.failed, first.dead, first.unmapped) == (2, 0, 0, 0), first
    harness.in_tenant(TENANT, again)
    second = harness.in_tenant(TENANT, deliver_due, harness.hall, TENANT)
    assert (second.delivered, second.failed, second.dead) == (2, 0, 0), second
    return bill_pay, topup


def paylog_rows(target: str, references: list[str]) -> list[dict]:
    """T_PAYLOG rows whose OUTER_TRADE_ID is one of ``references`` (values stripped of CHAR padding)."""
    engine = legacy_engine(target)
    try:
        with engine.connect() as conn:
            table = metadata().tables["T_PAYLOG"]
            found = conn.execute(sa.select(table).where(table.c.OUTER_TRADE_ID.in_(references))).mappings().all()
            return [{k: v.strip() if isinstance(v, str) else v for k, v in row.items()} for row in found]
    finally:
        engine.dispose()


def paylog_serials(target: str) -> dict[str, str]:
    """Every T_PAYLOG row: PAY_SERIAL -> REMOVE_TAG ('1': a reversed payment)."""
    table = metadata().tables["T_PAYLOG"]
    engine = legacy_engine(target)
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.select(table.c.PAY_SERIAL, table.c.REMOVE_TAG)).all()
            return {serial.strip(): tag.strip() for serial, tag in found}
    finally:
        engine.dispose()


def bill_cycle(target: str, bill_id: str):
    """The CYCLE_ID of a T_ACCT_BILL row."""
    bills = metadata().tables["T_ACCT_BILL"]
    engine = legacy_engine(target)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(bills.c.CYCLE_ID).where(bills.c.BILL_ID == int(bill_id)))
    finally:
        engine.dispose()


def payments_read_back(harness: HallHarness, start: dt.datetime, end: dt.datetime) -> list:
    """Every payment the payments port reads between ``start`` and ``end``, page by page."""

    async def go():
        connector = harness.hall.connector(harness.tenant(TENANT))
        found, after = [], ""
        while True:
            page = await connector.payments_between(start, end, after, 50)
            found += page.payments
            if not page.next_after:
                return found
            after = page.next_after

    return harness.in_tenant(TENANT, go)
