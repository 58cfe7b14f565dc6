"""The billmail plugin's tables: subscriptions, a batch per month, and the send log (one row per batch and subscription)."""

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable


class Subscription(TenantTable, tablename="billmail_subscription"):
    """A service number's monthly bill mail to an address. One row per number; unsubscribing keeps the row (active=False)."""

    number = Varchar(length=32)
    account_id = Integer()
    email = Varchar(length=254)
    language = Varchar(length=8, default="zh_CN")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    changed_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "number"),)
    INDEX_TOGETHER = (("tenant", "account_id"),)


class Batch(TenantTable, tablename="billmail_batch"):
    """One month's mailing, created once per tenant and month. The lease makes one sender at a time per batch."""

    month = Varchar(length=7)  # YYYY-MM
    created_at = Timestamptz(default=TimestamptzNow())
    total = Integer(default=0)
    finished_at = Timestamptz(null=True, default=None)  # nothing left to send automatically
    lease_owner = Varchar(length=64, default="")
    lease_until = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "month"),)


class Send(TenantTable, tablename="billmail_send"):
    """One mail of a batch: queued -> sending -> sent | failed | uncertain (a crash between claim and the server's answer)."""

    batch = Integer()
    subscription = Integer()
    number = Varchar(length=32)
    email = Varchar(length=254)
    language = Varchar(length=8, default="zh_CN")
    state = Varchar(length=12, default="queued")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)  # failed: when to retry; None once given up
    claimed_by = Varchar(length=64, default="")
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    UNIQUE_TOGETHER = (("tenant", "batch", "subscription"),)
    INDEX_TOGETHER = (("tenant", "batch", "state", "id"), ("tenant", "number"))
