"""billpay's tables: which bills each payment paid, invoices, and the stored reconciliation reports. Money is integer fen."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class BillPayment(TenantTable, tablename="billpay_bill_payment"):
    """One bill paid (in part or in full) by one hall payment; written by the fulfilment, exactly once per (intent, bill).

    ``paid_after_fen`` is the bill's paid amount the hall expects once the
    legacy system has posted this payment: until a sync reads at least that
    much back, the bill shows "paid, being posted" and is not offered again.
    """

    intent_id = Varchar(length=32)
    bill_legacy_id = Varchar(length=64)
    number = Varchar(length=32)
    month = Varchar(length=7)
    amount_fen = BigInt()
    paid_after_fen = BigInt()
    customer_id = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "intent_id", "bill_legacy_id"),)
    INDEX_TOGETHER = (("tenant", "bill_legacy_id"), ("tenant", "number", "created_at"))


class Invoice(TenantTable, tablename="billpay_invoice"):
    """The invoice (发票) asked for one payment: one per payment, never changed once issued."""

    intent_id = Varchar(length=32)
    invoice_no = Varchar(length=32)
    customer_id = Varchar(length=64, default="")
    kind = Varchar(length=12)  # personal | company
    title = Varchar(length=100)  # 抬头
    tax_number = Varchar(length=20, default="")  # 税号 (unified social credit code or older taxpayer number)
    amount_fen = BigInt()
    issued_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "intent_id"), ("tenant", "invoice_no"))
    INDEX_TOGETHER = (("tenant", "customer_id"),)


class ReconReport(TenantTable, tablename="billpay_recon_report"):
    """A reconciliation of gateway, hall ledger and legacy write-back for a date range, with every mismatch found."""

    day_from = Date()
    day_to = Date()
    trigger = Varchar(length=16, default="operator")  # nightly | operator
    run_by = Varchar(length=64, default="")
    checked = Integer(default=0)  # intents compared
    mismatch_count = Integer(default=0)
    mismatches = JSON(default=[])  # [{"kind", "intent_id", "reason", ...}]
    summary = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "day_from", "trigger"), ("tenant", "created_at"))


TABLES = [BillPayment, Invoice, ReconReport]
