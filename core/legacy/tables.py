"""Sync bookkeeping: a watermark per tenant and kind, advanced in the same transaction as its rows."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from core.db.scoping import TenantTable


class SyncState(TenantTable, tablename="core_sync_state"):
    kind = Varchar(length=32)
    watermark = Text(default="")  # opaque to the hall; composite keys can make it long
    last_run_at = Timestamptz(null=True, default=None)
    last_success_at = Timestamptz(null=True, default=None)
    rows_last_run = Integer(default=0)
    rows_total = Integer(default=0)
    last_error = Text(default="")
    UNIQUE_TOGETHER = (("tenant", "kind"),)
