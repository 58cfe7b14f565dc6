"""shop's tables: catalog, card batches and cards, orders, redemptions, the PIN access trail and operator alerts.

Money is integer fen. A card's PIN is never stored in the clear: ``pin_hash``
is an HMAC under a per-tenant key (what redemption compares), ``pin_sealed``
an AES-GCM copy under another per-tenant key (what one-time delivery opens).
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable

# card states: generated → in_stock → sold → redeemed, or void
GENERATED, IN_STOCK, SOLD, REDEEMED, VOID = "generated", "in_stock", "sold", "redeemed", "void"
CARD_STATES = (GENERATED, IN_STOCK, SOLD, REDEEMED, VOID)
# order states
CREATED, PAID, FULFILLED, COMPLETED, CANCELED, ON_HOLD, VOIDED, SHIPPED = (
    "created",
    "paid",
    "fulfilled",
    "completed",
    "canceled",
    "on_hold",
    "void",
    "shipped",
)
# order kinds: an electronic card (PIN on the order page) or a physical product (shipped to an address)
ELECTRONIC, PHYSICAL = "electronic", "physical"


class Category(TenantTable, tablename="shop_category"):
    """A catalog category; ``parent_id`` makes a tree of any depth (0: a top category)."""

    parent_id = Integer(default=0)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    position = Integer(default=0)
    INDEX_TOGETHER = (("tenant", "parent_id"),)


class Product(TenantTable, tablename="shop_product"):
    """Something sold: a card with a face value, its prices (list, member, promotion between dates) and attributes."""

    code = Varchar(length=32)
    category_id = Integer(default=0)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    delivery = Varchar(length=16, default="electronic")  # electronic | physical
    face_value_fen = BigInt(default=0)
    price_fen = BigInt()
    member_price_fen = BigInt(null=True, default=None)
    promo_price_fen = BigInt(null=True, default=None)
    promo_from = Timestamptz(null=True, default=None)
    promo_until = Timestamptz(null=True, default=None)
    attributes = JSON(default="{}")
    low_stock = Integer(default=5)
    active = Boolean(default=True)
    views = BigInt(default=0)
    # a physical product's units neither held by a checkout nor paid for: on hand - held - paid unshipped (stock_holds.py)
    stock_free = Integer(default=0)
    UNIQUE_TOGETHER = (("tenant", "code"),)
    INDEX_TOGETHER = (("tenant", "category_id"),)


class Batch(TenantTable, tablename="shop_batch"):
    """A batch of cards of one product: generated here or imported from a supplier's CSV; ``generated`` is its size."""

    code = Varchar(length=32)
    product_id = Integer()
    source = Varchar(length=16, default="generated")  # generated | imported
    generated = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=64, default="")
    UNIQUE_TOGETHER = (("tenant", "code"),)


class Card(TenantTable, tablename="shop_card"):
    """One card: a public serial and a secret PIN (hashed and sealed only); held for an order until ``hold_until``."""

    batch_id = Integer()
    product_id = Integer()
    serial = Varchar(length=32)
    pin_hash = Varchar(length=64)
    pin_sealed = Varchar(length=200)
    face_value_fen = BigInt()
    state = Varchar(length=16, default=GENERATED)
    order_id = Integer(null=True, default=None)
    hold_until = Timestamptz(null=True, default=None)
    sold_at = Timestamptz(null=True, default=None)
    redeemed_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "serial"),)
    INDEX_TOGETHER = (("tenant", "product_id", "state"), ("tenant", "batch_id", "state"), ("tenant", "order_id"))


class Order(TenantTable, tablename="shop_order"):
    """An order of one electronic card; ``number`` is its public, unguessable reference.

    ``checkout`` groups the orders paid by one payment (a cart of several cards): it is the payment's reference.
    """

    number = Varchar(length=32)
    checkout = Varchar(length=32, default="")
    customer_id = Varchar(length=64)
    product_id = Integer()
    price_fen = BigInt()
    state = Varchar(length=16, default=CREATED)
    intent_id = Varchar(length=32, default="")
    card_id = Integer(null=True, default=None)
    hold_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    fulfilled_at = Timestamptz(null=True, default=None)
    pin_shown_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=200, default="")
    # where the order's news goes (core.api.notify): the buyer's e-mail, else their phone; in their language
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=32, default="")
    language = Varchar(length=8, default="")
    kind = Varchar(length=16, default=ELECTRONIC)  # electronic | physical (created → paid → shipped → completed)
    shipped_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "number"),)
    INDEX_TOGETHER = (("tenant", "customer_id", "created_at"), ("tenant", "state"), ("tenant", "checkout"))


class Redemption(TenantTable, tablename="shop_redemption"):
    """A card credited onto a number: written in the transaction that marks the card redeemed (one per card)."""

    card_id = Integer()
    serial = Varchar(length=32)
    number = Varchar(length=32)
    account = Varchar(length=64)
    amount_fen = BigInt()
    customer_id = Varchar(length=64, default="")
    client_address = Varchar(length=64, default="")
    event_id = Varchar(length=64)
    at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "card_id"),)
    INDEX_TOGETHER = (("tenant", "number", "at"),)


class PinAccess(TenantTable, tablename="shop_pin_access"):
    """The access trail: every time a PIN was shown, to whom, how (first view or a fresh one-time code), from where."""

    order_id = Integer()
    card_id = Integer()
    customer_id = Varchar(length=64)
    how = Varchar(length=16)  # first | code
    client_address = Varchar(length=64, default="")
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "order_id"),)


class Alert(TenantTable, tablename="shop_alert"):
    """Something an operator must look at: a lock-out, low stock, a batch that does not add up, an order without a card."""

    kind = Varchar(length=32)
    subject = Varchar(length=100)
    detail = Varchar(length=400, default="")
    at = Timestamptz(default=TimestamptzNow())
    seen = Boolean(default=False)
    INDEX_TOGETHER = (("tenant", "kind", "subject"), ("tenant", "at"))


class CartLine(TenantTable, tablename="shop_cart_line"):
    """A line of a cart kept in the database: ``owner`` is ``c:<customer id>`` or ``v:<visitor token>`` (a cookie)."""

    owner = Varchar(length=80)
    product_id = Integer()
    quantity = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "owner", "product_id"),)


class Delivery(TenantTable, tablename="shop_delivery"):
    """Where a physical order goes and how: the address as typed at checkout, the method and fee, the shipment."""

    order_id = Integer()
    method = Varchar(length=16)
    fee_fen = BigInt(default=0)
    province = Varchar(length=20)
    city = Varchar(length=20)
    district = Varchar(length=20)
    street = Varchar(length=120)
    recipient = Varchar(length=30)
    phone = Varchar(length=20)
    carrier = Varchar(length=16, default="")
    tracking = Varchar(length=32, default="")
    shipped_by = Varchar(length=64, default="")
    received_at = Timestamptz(null=True, default=None)
    completed_by = Varchar(length=8, default="")  # buyer (confirmed receipt) | auto (the job, after N days)
    merged_into = Integer(null=True, default=None)  # ships with that order (an operator merged the two)
    UNIQUE_TOGETHER = (("tenant", "order_id"),)


class Location(TenantTable, tablename="shop_location"):
    """A stock location (a warehouse, a shop's back room) holding physical products."""

    code = Varchar(length=16)
    name_zh = Varchar(length=40)
    name_en = Varchar(length=40)
    UNIQUE_TOGETHER = (("tenant", "code"),)


class Stock(TenantTable, tablename="shop_stock"):
    """How many of a physical product a location holds; only conditional updates change it, never below zero."""

    product_id = Integer()
    location_id = Integer()
    quantity = Integer(default=0)
    UNIQUE_TOGETHER = (("tenant", "product_id", "location_id"),)


class Movement(TenantTable, tablename="shop_movement"):
    """One stock movement: in, out (a shipment), transfer (from → to) or adjustment (with its reason)."""

    kind = Varchar(length=12)  # in | out | transfer | adjust
    product_id = Integer()
    from_location = Integer(null=True, default=None)
    to_location = Integer(null=True, default=None)
    quantity = Integer()
    reason = Varchar(length=200, default="")
    order_id = Integer(null=True, default=None)
    actor = Varchar(length=64, default="")
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "product_id", "at"),)


# stock hold states: held by an unpaid checkout → paid (waits to ship) → shipped; or released (expired, canceled)
HELD, HOLD_PAID, HOLD_SHIPPED, RELEASED = "held", "paid", "shipped", "released"


class StockHold(TenantTable, tablename="shop_stock_hold"):
    """Units of a physical product promised to one order: held until ``hold_until`` while unpaid, then paid."""

    order_id = Integer()
    product_id = Integer()
    quantity = Integer(default=1)
    state = Varchar(length=12, default=HELD)
    hold_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "order_id"),)
    INDEX_TOGETHER = (("tenant", "product_id", "state"),)


class ProductImage(TenantTable, tablename="shop_product_image"):
    """A product's picture, re-encoded by the hall (display size and thumbnail); ``digest`` names its content."""

    product_id = Integer()
    position = Integer(default=0)
    digest = Varchar(length=64)
    alt_zh = Varchar(length=120, default="")
    alt_en = Varchar(length=120, default="")
    width = Integer(default=0)
    height = Integer(default=0)
    display = Bytea(default=b"")
    thumb = Bytea(default=b"")
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=64, default="")
    INDEX_TOGETHER = (("tenant", "product_id", "position"),)


TABLES = [
    Category,
    Product,
    Batch,
    Card,
    Order,
    Redemption,
    PinAccess,
    Alert,
    CartLine,
    Delivery,
    Location,
    Stock,
    Movement,
    StockHold,
    ProductImage,
]
