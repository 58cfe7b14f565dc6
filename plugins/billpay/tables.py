"""billpay's tables: which bills each payment paid, invoices and red-letter credit notes, and the stored reconciliation reports. Money is integer fen."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable


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
    """The invoice (蓝字发票) asked for one payment: one per payment, its amounts fixed when asked, issued through the e-invoice provider.

    ``state`` is ``pending`` until the provider issued it (``provider_no``,
    ``verify_code``), then ``issued``; a provider failure leaves it pending and
    the ``billpay.issue_invoices`` job asks again. Rows from before invoices went
    through a provider are ``issued`` with empty provider fields. ``lines`` are
    ``[{"code", "name", "rate", "amount_fen", "net_fen", "tax_fen"}]``: ``amount_fen``
    includes tax (价税合计) and the lines add up to ``amount_fen`` exactly.
    """

    intent_id = Varchar(length=32)
    invoice_no = Varchar(length=32)
    customer_id = Varchar(length=64, default="")
    kind = Varchar(length=12)  # personal | company
    title = Varchar(length=100)  # 抬头
    tax_number = Varchar(length=20, default="")  # 税号 (unified social credit code or older taxpayer number)
    amount_fen = BigInt()  # 价税合计: the payment less the refunds that succeeded before the invoice was asked
    issued_at = Timestamptz(default=TimestamptzNow())  # asked at while pending; issued at once issued
    state = Varchar(length=12, default="issued")  # pending | issued
    paid_fen = BigInt(default=0)
    refunded_before_fen = BigInt(default=0)
    refunds_netted = JSON(default=[])  # refund ids subtracted from amount_fen
    net_fen = BigInt(default=0)  # 金额 (excluding tax)
    tax_fen = BigInt(default=0)  # 税额
    lines = JSON(default=[])
    seller_name = Varchar(length=100, default="")
    seller_tax_number = Varchar(length=20, default="")
    seller_address_phone = Varchar(length=200, default="")
    seller_bank_account = Varchar(length=200, default="")
    provider = Varchar(length=32, default="")
    provider_no = Varchar(length=64, default="")
    verify_code = Varchar(length=32, default="")
    attempts = Integer(default=0)
    last_error = Text(default="")
    requested_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "intent_id"), ("tenant", "invoice_no"))
    INDEX_TOGETHER = (("tenant", "customer_id"), ("tenant", "state"))


class CreditNote(TenantTable, tablename="billpay_credit_note"):
    """A red-letter invoice (红字发票) for a refund after invoicing: exactly one per refund, negative amounts, citing the original."""

    invoice_no = Varchar(length=32)  # its own number, from the same counter as invoices
    original_no = Varchar(length=32)  # the invoice it reverses (in part)
    intent_id = Varchar(length=32)
    refund_id = Varchar(length=32)
    customer_id = Varchar(length=64, default="")
    reason = Text(default="")
    amount_fen = BigInt()  # negative
    net_fen = BigInt(default=0)  # negative
    tax_fen = BigInt(default=0)  # negative
    lines = JSON(default=[])  # as Invoice.lines, negative
    state = Varchar(length=12, default="pending")  # pending | issued
    provider = Varchar(length=32, default="")
    provider_no = Varchar(length=64, default="")
    verify_code = Varchar(length=32, default="")
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    issued_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "refund_id"), ("tenant", "invoice_no"))
    INDEX_TOGETHER = (("tenant", "intent_id"), ("tenant", "state"))


class InvoiceCounter(TenantTable, tablename="billpay_invoice_counter"):
    """The last number used per series: one row per (tenant, series), bumped by one upsert in the issuing transaction."""

    series = Varchar(length=16)
    value = BigInt(default=0)
    UNIQUE_TOGETHER = (("tenant", "series"),)


class LocalEInvoice(TenantTable, tablename="billpay_local_einvoice"):
    """The local stand-in e-invoice provider's own store: what it "issued", one row per request (the hall's invoice number)."""

    request_no = Varchar(length=32)
    provider_no = Varchar(length=32)
    verify_code = Varchar(length=32)
    doc_type = Varchar(length=8)  # blue | red
    original_provider_no = Varchar(length=32, default="")
    amount_fen = BigInt()
    tax_fen = BigInt(default=0)
    buyer = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "request_no"), ("tenant", "provider_no"))


class ReconReport(TenantTable, tablename="billpay_recon_report"):
    """A reconciliation of gateway, hall ledger and legacy write-back for a date range, with every mismatch found."""

    day_from = Date()
    day_to = Date()
    trigger = Varchar(length=16, default="operator")  # nightly | operator
    run_by = Varchar(length=64, default="")
    checked = Integer(default=0)  # intents compared
    mismatch_count = Integer(default=0)
    mismatches = JSON(default=[])  # [{"kind", "intent_id", "reason", ...}]
    bss = JSON(
        default={}
    )  # the BSS side (core.payments.bss_reconcile): {"available", "expected", "elsewhere_fen", ...}; {} when not compared
    summary = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "day_from", "trigger"), ("tenant", "created_at"))


TABLES = [BillPayment, Invoice, CreditNote, InvoiceCounter, LocalEInvoice, ReconReport]
