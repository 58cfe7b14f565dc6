"""Product tables: the inventory (products, their dated pending changes and history), product orders with their
items and milestones, and the lifecycle requests made to the owning plugins.

Ids between them are plain integers, not foreign keys, as in the work-order tables: history outlives rows.
Money is integer fen (``BigInt``); times are UTC.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class Product(TenantTable, tablename="core_product"):
    """A product on an account (TMF637): a line with its plan, a feature, a dial-up account, a mailbox.

    ``product_key`` says where it came from and makes creating it idempotent:
    ``line:<number>:<customer>`` for a line mirrored from the BSS, ``item:<order item id>``
    for one an order added. The prices are those the customer agreed to (the
    offering's when ordered, the BSS's tariff for a synced line); the charge run
    of hall-charged products reads them (``charged_by = "hall"``; see
    core/products/charging.py).
    """

    product_key = Varchar(length=120)
    specification = Varchar(length=32)  # ProductSpecification.code: "line", "mailbox", ...
    offering_code = Varchar(length=64, default="")  # "" for a BSS tariff the catalog does not list
    name = Varchar(length=100, default="")  # the offering's (or the BSS tariff's) name when it was taken
    legacy_code = Varchar(length=64, default="")  # the BSS's code of the offering (its tariff code)
    customer_legacy_id = Varchar(length=64)
    account_legacy_id = Varchar(length=64)  # BillingAccount.legacy_id, or the number when the BSS has no accounts
    number = Varchar(length=64, default="")  # the service number (or account name, mailbox) it lives on
    state = Varchar(length=24)
    suspend_reasons = Varchar(length=64, default="")  # comma-separated, sorted: customer, arrears, operator
    charged_by = Varchar(length=8, default="bss")  # bss | hall: who charges the monthly fee
    one_off_fen = BigInt(default=0)
    monthly_fee_fen = BigInt(default=0)
    deposit_fen = BigInt(default=0)
    min_spend_fen = BigInt(default=0)  # the monthly minimum spend that comes with the number (靓号)
    characteristics = JSON(default={})  # the specification's own values (TMF productCharacteristic)
    source = Varchar(length=8, default="order")  # order | synced
    mirrored_at = Timestamptz(null=True, default=None)  # the ServiceNumber.synced_at a synced line mirrors
    open_order_id = Integer(null=True, default=None)  # ProductOrder.id of the one open order changing it
    problem = Varchar(length=500, default="")  # why the last lifecycle step failed; "" when all is well
    started_at = Timestamptz(null=True, default=None)  # active since
    ended_at = Timestamptz(null=True, default=None)  # terminated at
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "product_key"),)
    INDEX_TOGETHER = (
        ("tenant", "account_legacy_id", "state"),
        ("tenant", "customer_legacy_id"),
        ("tenant", "number"),
        ("tenant", "state", "charged_by"),
        ("tenant", "open_order_id"),
    )


class ProductChange(TenantTable, tablename="core_product_change"):
    """A dated change of a product (a plan change next month, a termination at the month's end), visible until applied.

    ``state``: ``ordered`` (its order is still being carried out), ``scheduled``
    (confirmed, waiting for ``effective_at``), ``applied``, ``cancelled``. Applied
    rows stay: they are the product's price history for the charge run.
    """

    product_id = Integer()  # Product.id
    order_id = Integer(null=True, default=None)  # ProductOrder.id
    kind = Varchar(length=16)  # offering | suspend | resume | characteristics | terminate
    changes = JSON(default={})  # what changes: offering_code, name, legacy_code, prices; from_* what it was
    effective_at = Timestamptz()
    state = Varchar(length=16, default="ordered")
    created_at = Timestamptz(default=TimestamptzNow())
    applied_at = Timestamptz(null=True, default=None)
    INDEX_TOGETHER = (("tenant", "product_id", "state"), ("tenant", "state", "effective_at"), ("tenant", "order_id"))


class ProductEvent(TenantTable, tablename="core_product_event"):
    """A product's history: one row per change of state, offering or problem; never updated."""

    product_id = Integer()
    action = Varchar(
        length=32
    )  # mirror | provision | modify | suspend | resume | terminate | renew | apply | failed ...
    from_state = Varchar(length=24, default="")
    to_state = Varchar(length=24, default="")
    order_id = Integer(null=True, default=None)
    actor_kind = Varchar(length=16, default="system")
    actor_name = Varchar(length=100, default="")
    details = JSON(default={})
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "product_id"),)


class ProductOrder(TenantTable, tablename="core_product_order"):
    """A product order (TMF622): what a customer (or an operator for them) asked to add, change or end.

    ``request_key`` is the idempotency key of the submission (a double click, two
    tabs, a retried request give one order). ``process`` is the work-order type
    that carries it out ("" when nothing needs doing by hand); ``workorder_id`` the
    work order opened for it. ``amount_fen`` is what the payment step takes (one-off
    fees and deposits), ``payment_intent`` its intent.
    """

    number = Varchar(length=32)
    request_key = Varchar(length=160)
    state = Varchar(length=24)
    title = Varchar(
        length=200, default=""
    )  # what was ordered, in the customer's words ("Plan change of 139…: Unlimited 88")
    process = Varchar(length=64, default="")
    customer_legacy_id = Varchar(length=64)
    customer_account_id = Integer(null=True, default=None)  # CustomerAccount.id of the customer who placed it
    account_legacy_id = Varchar(length=64, default="")
    channel = Varchar(length=16, default="portal")  # portal | console
    language = Varchar(length=8, default="")
    contact_phone = Varchar(length=32, default="")
    contact_email = Varchar(length=254, default="")
    amount_fen = BigInt(default=0)
    payment_intent = Varchar(length=32, default="")  # PaymentIntent public id
    workorder_id = Integer(null=True, default=None)  # WorkOrder.id
    problem = Varchar(length=500, default="")
    note = Varchar(length=500, default="")  # why it was cancelled or failed, as the customer reads it
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)  # work started: the customer can no longer cancel
    closed_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "number"), ("tenant", "request_key"))
    INDEX_TOGETHER = (
        ("tenant", "state", "created_at"),
        ("tenant", "customer_legacy_id", "created_at"),
        ("tenant", "process", "created_at"),
        ("tenant", "workorder_id"),
    )


class ProductOrderItem(TenantTable, tablename="core_product_order_item"):
    """One line of an order: add an offering, modify a product (to another offering), or delete (end) a product."""

    order_id = Integer()
    seq = Integer(default=1)
    action = Varchar(length=8)  # add | modify | delete
    state = Varchar(length=24)
    specification = Varchar(length=32)
    offering_code = Varchar(length=64, default="")  # add: what is added; modify: what it becomes
    product_id = Integer(null=True, default=None)  # modify/delete: the product; add: the product made for it
    number = Varchar(length=64, default="")
    one_off_fen = BigInt(default=0)
    deposit_fen = BigInt(default=0)
    monthly_fee_fen = BigInt(default=0)
    effective_at = Timestamptz(null=True, default=None)  # None: when the order completes
    params = JSON(default={})  # the plugin's own values for this item
    INDEX_TOGETHER = (("tenant", "order_id"), ("tenant", "product_id"))


class ProductOrderMilestone(TenantTable, tablename="core_product_order_milestone"):
    """What happened to an order, as the customer follows it (TMF622 milestone); ``public`` ones are shown to them."""

    order_id = Integer()
    code = Varchar(length=32)  # placed | paid | started | step | held | completed | failed | cancelled | ...
    state = Varchar(length=24, default="")
    note = Varchar(length=500, default="")
    public = Boolean(default=True)
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "order_id"),)


class LifecycleRequest(TenantTable, tablename="core_product_request"):
    """One call of a lifecycle hook (provision, modify, suspend, resume, terminate, renew) on the owning plugin.

    ``request_key`` is unique: asking twice for the same thing finds this row,
    and a finished one is never called again. ``state``: pending → running →
    done | failed; failed ones wait for an operator's retry, with ``problem``.
    """

    request_key = Varchar(length=160)
    product_id = Integer()
    order_id = Integer(null=True, default=None)
    action = Varchar(length=16)
    params = JSON(default={})
    state = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    problem = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "request_key"),)
    INDEX_TOGETHER = (("tenant", "state", "created_at"), ("tenant", "product_id"), ("tenant", "order_id"))


TABLES = [
    Product,
    ProductChange,
    ProductEvent,
    ProductOrder,
    ProductOrderItem,
    ProductOrderMilestone,
    LifecycleRequest,
]
