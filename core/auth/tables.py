"""Identity tables: the customer master synced from legacy, portal accounts, sessions, codes, operators."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.db.scoping import TenantTable


class Customer(TenantTable, tablename="core_customer"):
    """A customer as the legacy system knows them (synced, read-only in the hall)."""

    legacy_id = Varchar(length=64)
    name = Varchar(length=100)
    id_hash = Varchar(length=64)  # keyed hash of the ID number, never the number
    id_masked = Varchar(length=18)
    email = Varchar(length=254, default="")
    phone = Varchar(length=32, default="")
    address = Text(default="")
    status = Varchar(length=16, default="active")
    synced_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "id_hash"),)


class ServiceNumber(TenantTable, tablename="core_service_number"):
    """A phone number or account number belonging to a customer (synced)."""

    number = Varchar(length=32)
    customer_legacy_id = Varchar(length=64)
    kind = Varchar(length=16, default="phone")  # phone | account | broadband
    status = Varchar(length=16, default="active")
    synced_at = Timestamptz(default=TimestamptzNow())
    account_legacy_id = Varchar(length=64, default="")  # the paying BillingAccount; "" when the BSS has no account tier
    UNIQUE_TOGETHER = (("tenant", "number"),)
    INDEX_TOGETHER = (("tenant", "customer_legacy_id"), ("tenant", "account_legacy_id"))


class BillingAccount(TenantTable, tablename="core_billing_account"):
    """A billing account (账户, synced): pays, holds the balance, receives the bill; may cover several numbers (合账).

    Not to be confused with :class:`CustomerAccount`, the portal log-in.
    """

    legacy_id = Varchar(length=64)
    customer_legacy_id = Varchar(length=64)
    name = Varchar(length=100, default="")
    billing = Varchar(length=16, default="postpaid")  # postpaid | prepaid
    status = Varchar(length=16, default="active")
    synced_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "customer_legacy_id"),)


class CustomerAccount(TenantTable, tablename="core_customer_account"):
    """A portal login of a verified customer."""

    customer_legacy_id = Varchar(length=64, index=True)
    email = Varchar(length=254, null=True, default=None)
    password_hash = Varchar(length=255)
    language = Varchar(length=8, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "customer_legacy_id"), ("tenant", "email"))


class AccountNumber(TenantTable, tablename="core_account_number"):
    """A service number linked to a portal account (one login, several numbers)."""

    account = ForeignKey(CustomerAccount)
    number = Varchar(length=32)
    linked_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "number"),)


class Session(TenantTable, tablename="core_session"):
    """A log-in session; kept in the database so any worker can serve any request."""

    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=16)  # customer | operator | super
    principal_id = Integer()
    data = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)


class OneTimeCode(TenantTable, tablename="core_one_time_code"):
    """A one-time code sent to the contact on file (sign-up, reset, linking, step-up)."""

    purpose = Varchar(length=16)
    subject = Varchar(length=128, index=True)
    flow_hash = Varchar(length=64, unique=True)  # SHA-256 of the flow token carried by the next form
    code_hash = Varchar(length=64)
    payload = JSON(default={})
    attempts = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class ThrottleEvent(TenantTable, tablename="core_throttle_event"):
    """One attempt under a key (account, address, destination, ...); counted over sliding windows (core/auth/throttle.py)."""

    key = Varchar(length=160, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    keep_until = Timestamptz(null=True, default=None, index=True)  # housekeeping deletes the row after this
    INDEX_TOGETHER = (("tenant", "key", "at"),)


class Operator(TenantTable, tablename="core_operator"):
    """A member of a tenant's staff."""

    username = Varchar(length=64)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=255)
    department = Varchar(length=64, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "username"),)


class Role(TenantTable, tablename="core_role"):
    """A named set of permission codes (declared by plugins)."""

    name = Varchar(length=64)
    permissions = JSON(default=[])
    UNIQUE_TOGETHER = (("tenant", "name"),)


class OperatorRole(TenantTable, tablename="core_operator_role"):
    operator = ForeignKey(Operator)
    role = ForeignKey(Role)
    UNIQUE_TOGETHER = (("operator", "role"),)


class SuperAdmin(Table, tablename="core_super_admin"):
    """Deployment-wide administrator: may act in every tenant's console. Not tenant-owned on purpose."""

    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
