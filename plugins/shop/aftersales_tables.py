"""The after-sales request (退货, 换货, 挂失): one per work order of type ``shop.aftersales``, with its outcome.

``open_order`` is the order's id while the request waits for a decision and NULL
afterwards; its unique index ``(tenant, open_order)`` makes "one open request
per order" the database's rule, not a read-then-write.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable

RETURN, EXCHANGE, LOST_CARD = "return", "exchange", "lost_card"
KINDS = (RETURN, EXCHANGE, LOST_CARD)
# states: open → refund | exchange | rejected (decided by an operator) or withdrawn (by the buyer)
OPEN, REFUND, REJECTED, WITHDRAWN = "open", "refund", "rejected", "withdrawn"


class AfterSale(TenantTable, tablename="shop_aftersale"):
    """A buyer's after-sales request about one order, and what the operator decided."""

    order_id = Integer()
    open_order = Integer(null=True, default=None)  # = order_id while open; NULL once decided or withdrawn
    customer_id = Varchar(length=64)
    kind = Varchar(length=16)  # return | exchange | lost_card
    reason = Varchar(length=500)
    state = Varchar(length=16, default=OPEN)  # open | refund | exchange | rejected | withdrawn
    workorder_id = Integer(null=True, default=None)
    number = Varchar(length=32, default="")  # the work order's number (SH-2026-000001)
    note = Varchar(length=500, default="")  # the operator's note; a rejection's reason
    refund_fen = BigInt(default=0)
    refund_id = Varchar(length=32, default="")  # refund_id_for("shop-aftersales:<id>"), stored before asking
    refund_state = Varchar(length=12, default="")  # "" (not asked yet) | pending | succeeded | failed
    new_card_id = Integer(null=True, default=None)  # a lost card's replacement
    carrier = Varchar(length=16, default="")  # a physical exchange's replacement shipment
    tracking = Varchar(length=32, default="")
    location = Varchar(length=16, default="")
    decided_by = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "open_order"),)
    INDEX_TOGETHER = (("tenant", "order_id"), ("tenant", "workorder_id"), ("tenant", "state"))


TABLES = [AfterSale]
