"""Payment tables: intents (one per payment asked for), their ledger, and refunds. Money is integer fen."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class PaymentIntent(TenantTable, tablename="core_payment_intent"):
    """One payment a plugin asked for. ``public_id`` is random and unguessable; it is also the gateway's out_trade_no."""

    public_id = Varchar(length=32)
    purpose = Varchar(length=64)  # "bill", "renewal", ...: what the money is for
    owner = Varchar(length=64)  # the plugin that asked, and that fulfils it
    reference = Varchar(length=128, default="")  # the owner's own key (a bill id, an order number)
    subject = Varchar(length=128, default="")  # shown at the gateway
    customer_id = Varchar(length=64, default="")  # the customer's legacy id
    amount_fen = BigInt()
    currency = Varchar(length=3, default="CNY")
    provider = Varchar(length=32)  # kept forever, even after the tenant switches the provider off
    channel = Varchar(length=8, default="")  # pc | wap, once a checkout started
    state = Varchar(length=20, default="created")
    idempotency_key = Varchar(length=128)
    provider_ref = Varchar(length=64, default="")  # the gateway's trade number
    refunded_fen = BigInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    succeeded_at = Timestamptz(null=True, default=None)
    fulfilled_at = Timestamptz(null=True, default=None)
    metadata = JSON(default={})  # the owner's own details (e.g. which bills), passed on in the payment.posted event
    claims = JSON(default=[])  # what it pays for, held exclusively while it may be or is paid (core/payments/claims.py)
    UNIQUE_TOGETHER = (("tenant", "public_id"), ("tenant", "idempotency_key"))
    INDEX_TOGETHER = (("tenant", "state", "updated_at"), ("tenant", "owner", "reference"), ("tenant", "customer_id"))


class PaymentEvent(TenantTable, tablename="core_payment_event"):
    """The ledger: every state change and every notification or query answer received, verified or not, with a reason."""

    intent_id = Varchar(length=64, default="")  # the public id; "" or the claimed id when nothing matched
    kind = Varchar(length=24)  # created | checkout | notification | query | state | refund | fulfilment
    provider = Varchar(length=32, default="")
    from_state = Varchar(length=20, default="")
    to_state = Varchar(length=20, default="")
    accepted = Boolean(default=True)  # False: refused (forged, wrong amount, wrong party, unknown intent)
    reason = Text(default="")
    data = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "intent_id"),)


class Refund(TenantTable, tablename="core_payment_refund"):
    """A refund of part or all of a paid intent; written ``pending`` before the gateway is asked, so a crash cannot lose or double it."""

    refund_id = Varchar(length=32)  # public; the gateway's idempotency key (out_request_no)
    intent_id = Varchar(length=32)
    amount_fen = BigInt()
    state = Varchar(length=12, default="pending")  # pending | succeeded | failed
    provider_ref = Varchar(length=64, default="")
    reason = Text(default="")
    operator = Varchar(length=64, default="")
    attempts = Integer(default=0)
    last_error = Text(default="")
    undo = Boolean(
        default=True
    )  # tell the owner and the legacy system (False: a duplicate payment that was never posted)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "refund_id"),)
    INDEX_TOGETHER = (("tenant", "intent_id"), ("tenant", "state"))


class PaymentClaim(TenantTable, tablename="core_payment_claim"):
    """One thing an intent pays for (an owner's string, e.g. ``bill:<id>@<paid before>``); unique per tenant (core/payments/claims.py)."""

    item = Varchar(length=160)
    intent_id = Varchar(length=32)  # the holder's public id
    created_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "item"),)
    INDEX_TOGETHER = (("tenant", "intent_id"),)


class Agreement(TenantTable, tablename="core_payment_agreement"):
    """An automatic-payment agreement (代扣协议) of one customer's billing account at one provider (core/payments/agreements.py).

    ``state``: ``pending`` (sent to sign at the provider) → ``active`` (the provider's verified notification said signed;
    ``agreement_no`` is its number) → ``cancelled`` (by the customer, an operator or the provider) | ``expired``
    (never signed). ``public_id`` is the hall's external agreement number (Alipay's external_agreement_no).
    """

    public_id = Varchar(length=32)
    customer_id = Varchar(length=64, default="")  # the customer's legacy id
    account_legacy_id = Varchar(length=64, default="")  # the billing account it pays for
    provider = Varchar(length=32)
    state = Varchar(length=12, default="pending")
    agreement_no = Varchar(length=64, default="")  # the provider's number, once signed
    payer = Varchar(length=64, default="")  # who signed, as the provider knows them (Alipay's user id)
    reason = Varchar(length=200, default="")  # why it was cancelled or expired
    notify_url = Varchar(length=300, default="")  # absolute: where the provider posts its charges' trade notifications
    created_at = Timestamptz(default=TimestamptzNow())
    signed_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "public_id"),)
    INDEX_TOGETHER = (("tenant", "account_legacy_id", "state"), ("tenant", "customer_id"))


TABLES = [PaymentIntent, PaymentEvent, Refund, PaymentClaim, Agreement]
