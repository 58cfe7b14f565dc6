"""phone's tables: number holds (预占) and long-distance switch requests. Money is integer fen, times UTC.

A hold is live while ``live_number`` is set: the unique index on (tenant,
live_number) is what keeps two customers from holding one number, whatever
the workers do at the same moment. Ending a hold clears it (NULLs never
collide). ``live_holder`` (account and purpose) does the same for "one hold
per customer per order", ``live_address`` for "at most N per installation
address": one of N numbered slots of the address's key (plugins/phone/addresses.py). A hold past ``expires_at`` counts as gone on every
read; the sweep job clears its columns and releases it in the BSS.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable

HELD, ORDERED, RELEASED, EXPIRED, INSTALLED = "held", "ordered", "released", "expired", "installed"
LIVE_STATES = (HELD, ORDERED)


class NumberHold(TenantTable, tablename="phone_number_hold"):
    """A number a customer picked: held until ``expires_at``, then tied to the installation order that pays for it."""

    number = Varchar(length=32)
    kind = Varchar(length=16, default="mobile")
    account_id = Integer()  # CustomerAccount id
    customer_legacy_id = Varchar(length=64, default="")
    identity = Varchar(length=64, default="")  # the real-name identity (the ID number's keyed hash)
    purpose = Varchar(length=32, default="install")
    state = Varchar(length=16, default=HELD)
    live_number = Varchar(length=32, null=True, default=None)
    live_holder = Varchar(length=100, null=True, default=None)
    live_address = Varchar(length=80, null=True, default=None)  # "<address key>:<slot>" while applying for it
    grade_code = Varchar(length=16, default="")
    prepay_fen = BigInt(default=0)
    min_spend_fen = BigInt(default=0)
    price_fen = BigInt(default=0)
    order_id = Integer(null=True, default=None)  # the product order it went into
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)  # None once ordered: the order keeps it
    ended_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "live_number"), ("tenant", "live_holder"), ("tenant", "live_address"))
    INDEX_TOGETHER = (("tenant", "state", "expires_at"), ("tenant", "identity", "state"), ("tenant", "account_id"))


class FeatureRequest(TenantTable, tablename="phone_feature_request"):
    """Long-distance or international on/off for a line: sent to the BSS, pending until the BSS shows it."""

    number = Varchar(length=32)
    account_id = Integer()
    feature = Varchar(length=16)  # long_distance | international
    wanted = Boolean()
    state = Varchar(length=16, default="pending")  # pending | confirmed | replaced (by a newer request)
    event_id = Varchar(length=64, default="")
    external_id = Varchar(length=64, null=True, default=None)  # the API's externalId: a retry is the same request
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "account_id", "external_id"),)
    INDEX_TOGETHER = (("tenant", "number", "state"), ("tenant", "account_id"))


TABLES = [NumberHold, FeatureRequest]
