"""The hall's record of each mailbox: what Dovecot's passwd-file is written from (the hall is its source of truth)."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from core.api.db import TenantTable

# applied: waiting for approval (nothing in Dovecot); active / suspended: in the passwd-file (suspended with
# nologin); stopped: out of the passwd-file, mail kept until keep_until; removed: mail deleted; rejected: refused
STATES = ("applied", "active", "suspended", "stopped", "removed", "rejected")
IN_DOVECOT = ("active", "suspended")
FREE = ("rejected", "removed")  # the address may be applied for again


class Mailbox(TenantTable, tablename="mailbox_mailbox"):
    address = Varchar(length=254)
    local_part = Varchar(length=64)
    domain = Varchar(length=190)
    customer_legacy_id = Varchar(length=64)
    account_id = Integer(null=True, default=None)  # the portal log-in that applied
    billing_number = Varchar(length=32)  # the service number whose account pays the fees
    offering_code = Varchar(length=64)
    quota_mb = Integer(default=0)
    password_hash = Text(default="")  # {ARGON2ID}$argon2id$… as Dovecot verifies it; never the password
    state = Varchar(length=16, default="applied")
    order_id = Integer(null=True, default=None)
    product_id = Integer(null=True, default=None)
    forward_to = Varchar(length=254, default="")
    note = Text(default="")  # the reason of a rejection, shown to the customer
    prepaid_fen = Integer(default=0)  # paid online in advance (续费), posted to the BSS as a payment
    keep_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    UNIQUE_TOGETHER = (("tenant", "address"),)
    INDEX_TOGETHER = (("tenant", "customer_legacy_id"), ("tenant", "product_id"), ("tenant", "state"))


TABLES = [Mailbox]
