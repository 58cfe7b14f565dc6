"""dialup's tables: the accounts the hall opened (with the password hash FreeRADIUS checks) and their paid renewals.

The RADIUS database holds what the server reads (radcheck, radreply, radusergroup)
and writes (radacct); these rows are the hall's truth it is provisioned from,
so a provisioning that failed is simply pushed again.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable

ORDERED, ACTIVE, CLOSED, CANCELLED = "ordered", "active", "closed", "cancelled"


class DialupAccount(TenantTable, tablename="dialup_account"):
    """A dial-up account: its user name, package and allowance, its order and product, and why it may not dial in.

    ``seconds_total`` (hour packages) and ``money_fen`` (prepaid money) add up
    every opening and renewal; what was used is read from radacct.
    ``blocked`` is the hall's own stop (``exhausted``), besides the operator's
    ``locked`` and the expiry FreeRADIUS checks itself.
    """

    username = Varchar(length=64)
    customer_legacy_id = Varchar(length=64)
    customer_account_id = Integer(null=True, default=None)
    offering_code = Varchar(length=64)
    kind = Varchar(length=16)  # hours | unlimited | money
    password_hash = Varchar(length=200)
    state = Varchar(length=16, default=ORDERED)  # ordered | active | closed | cancelled
    locked = Boolean(default=False)
    blocked = Varchar(length=32, default="")  # "" | exhausted
    order_id = Integer(null=True, default=None)
    order_number = Varchar(length=32, default="")
    request_key = Varchar(length=160, default="")
    product_id = Integer(null=True, default=None)
    seconds_total = BigInt(default=0)
    money_fen = BigInt(default=0)
    rate_fen_per_hour = BigInt(default=0)
    days = Integer(default=31)
    expires_at = Timestamptz(null=True, default=None)
    opened_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "username"),)
    INDEX_TOGETHER = (("tenant", "customer_legacy_id"), ("tenant", "product_id"))


class DialupRenewal(TenantTable, tablename="dialup_renewal"):
    """A renewal paid through the payment core: applied to the account once, in the payment's transaction."""

    account_id = Integer()
    intent_id = Varchar(length=32)
    amount_fen = BigInt()
    state = Varchar(length=16, default="started")  # started | paid | applied | refund_due | refunding | refunded
    expires_before = Timestamptz(null=True, default=None)
    expires_after = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "intent_id"),)
    INDEX_TOGETHER = (("tenant", "account_id"),)


TABLES = [DialupAccount, DialupRenewal]
