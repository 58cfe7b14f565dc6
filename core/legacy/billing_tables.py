"""The hall's copies of legacy bills, bill items and call-detail records, and the sync quarantine.

Money is integer fen (``BigInt``), never float. Each mirrored row carries the
legacy system's id; ``UNIQUE_TOGETHER`` on ``(tenant, legacy_id)`` is what the
sync's ``INSERT … ON CONFLICT`` upserts on, so a re-read row never duplicates.
The indexes themselves are created by a core migration (core/db/indexes.py).
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, Integer, Text, Timestamptz, Varchar

from core.db.scoping import TenantTable


class Bill(TenantTable, tablename="core_bill"):
    legacy_id = Varchar(length=64)
    number = Varchar(length=32)
    month = Varchar(length=7)  # YYYY-MM
    amount_fen = BigInt(default=0)
    paid_fen = BigInt(default=0)
    status = Varchar(length=16, default="unpaid")  # unpaid | partial | paid
    due_date = Date(null=True, default=None)
    changed_at = Timestamptz(null=True, default=None)
    synced_at = Timestamptz(null=True, default=None)
    account_legacy_id = Varchar(length=64, default="")  # set for bills of a whole account (合账); number is then ""
    UNIQUE_TOGETHER = (("tenant", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "number", "month"), ("tenant", "account_legacy_id", "month"))


class BillItem(TenantTable, tablename="core_bill_item"):
    legacy_id = Varchar(length=80)  # "<bill legacy_id>/<position>"
    bill_legacy_id = Varchar(length=64)
    position = Integer(default=0)
    code = Varchar(length=32, default="")
    name = Varchar(length=100, default="")
    amount_fen = BigInt(default=0)
    number = Varchar(length=32, default="")  # the service number charged, where the BSS says (a combined bill's share)
    UNIQUE_TOGETHER = (("tenant", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "bill_legacy_id"),)


class CallRecord(TenantTable, tablename="core_call_record"):
    legacy_id = Varchar(length=64)
    number = Varchar(length=32)
    started_at = Timestamptz(null=True, default=None)
    duration_s = Integer(default=0)
    called_number = Varchar(length=32, default="")
    call_type = Varchar(length=16, default="local")
    charge_fen = BigInt(default=0)
    UNIQUE_TOGETHER = (("tenant", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "number", "started_at"),)


class Balance(TenantTable, tablename="core_balance"):
    """The last balance read from the BSS for an account: a short-lived cache shared by every worker.

    ``as_of`` is the BSS's own time for the figure (shown as "data as of"),
    ``fetched_at`` when the hall asked; a look-up older than the tenant's cache
    time asks again.
    """

    account_legacy_id = Varchar(length=64)
    balance_fen = BigInt(default=0)
    billing = Varchar(length=16, default="postpaid")
    as_of = Timestamptz(null=True, default=None)
    fetched_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "account_legacy_id"),)


class Quarantine(TenantTable, tablename="core_sync_quarantine"):
    """A legacy row that failed validation: kept with its reason until a later sync or a retry accepts it."""

    kind = Varchar(length=16)  # bills | calls | ...
    legacy_id = Varchar(length=80)
    reason = Text(default="")  # ID numbers masked
    sample = JSON(default="{}")  # the row as the connector handed it, ID numbers masked
    first_seen = Timestamptz(null=True, default=None)
    last_seen = Timestamptz(null=True, default=None)
    attempts = Integer(default=1)
    resolved_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "kind", "legacy_id"),)
    INDEX_TOGETHER = (("tenant", "kind", "resolved_at"),)
