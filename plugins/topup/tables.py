"""topup's table: one row per top-up started, kept in step with its payment intent. Money is integer fen."""

from __future__ import annotations

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable

STARTED, PAID = "started", "paid"
PARTLY_REFUNDED_STATE, REFUNDED_STATE = "partially_refunded", "refunded"  # the intent's states, once money came back


class TopUp(TenantTable, tablename="topup_topup"):
    """A top-up of one service number: who it is for, who paid, how much, and its receipt's unguessable id.

    ``holder_masked`` is the masked name the payer confirmed (the full name is
    never stored here). ``paid_at`` is set by the fulfilment, exactly once:
    it is what the per-number limits count. ``payer_id`` is the logged-in
    customer's legacy id ("" for a visitor); ``client_address`` is kept for
    operators looking into abuse.
    """

    intent_id = Varchar(length=32)
    receipt_id = Varchar(length=32)
    number = Varchar(length=32)
    account = Varchar(length=64)
    holder_id = Varchar(length=64, default="")
    holder_masked = Varchar(length=100, default="")
    payer_id = Varchar(length=64, default="")
    client_address = Varchar(length=64, default="")
    amount_fen = BigInt()
    refunded_fen = BigInt(default=0)
    state = Varchar(length=20, default=STARTED)  # started | paid | partially_refunded | refunded
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "intent_id"), ("tenant", "receipt_id"))
    INDEX_TOGETHER = (
        ("tenant", "number", "paid_at"),
        ("tenant", "holder_id", "created_at"),
        ("tenant", "payer_id", "created_at"),
        ("tenant", "created_at"),
    )


TABLES = [TopUp]
