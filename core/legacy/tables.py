"""Sync bookkeeping: a watermark per tenant and kind, advanced in the same transaction as its rows.

The ``reconciled_*`` columns record the last full reconciliation (core.legacy.reconcile):
when it ran, how many rows it removed (or closed, for customers) and, when it
refused or failed, why - shown on the operators' sync page.
"""

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
    reconciled_at = Timestamptz(null=True, default=None)  # last reconciliation that ran to the end
    reconcile_removed = Integer(default=0)  # rows it removed (customers: closed)
    reconcile_note = Text(default="")  # why the last attempt refused or failed; "" when it went through
    UNIQUE_TOGETHER = (("tenant", "kind"),)


class ReconcileSeen(TenantTable, tablename="core_reconcile_seen"):
    """Scratch list of the legacy ids a running reconciliation has seen upstream (emptied before and after).

    A table rather than a Python set: a million call-record ids stay out of memory,
    and "which of these hall rows were seen" is an indexed look-up.
    """

    kind = Varchar(length=16)
    legacy_id = Varchar(length=80)
    UNIQUE_TOGETHER = (("tenant", "kind", "legacy_id"),)
