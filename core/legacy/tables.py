"""Sync bookkeeping: a watermark per tenant and kind, advanced in the same transaction as its rows.

The ``reconciled_*`` columns record the last full reconciliation (core.legacy.reconcile):
when it ran, how many rows it removed (or closed, for customers) and, when it
refused or failed, why - shown on the operators' sync page. ``reread_last_run`` /
``changed_last_run`` split the last incremental run's rows into those read again by
the look-back and those that really changed the hall (core.legacy.look_back);
``changes_checked_at`` / ``changes_repaired`` summarise the last finished change
reconciliation (core.legacy.change_reconcile, whose runs are ``ChangeReconcileRun``)
for "data as of" in one query.
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
    reread_last_run = Integer(default=0)  # rows the look-back read again (stamped at or before the old watermark)
    changed_last_run = Integer(default=0)  # rows the last run really changed in the hall
    changes_checked_at = Timestamptz(null=True, default=None)  # last change reconciliation that ran to the end
    changes_repaired = Integer(default=0)  # rows it repaired (changed + missing + deleted)
    UNIQUE_TOGETHER = (("tenant", "kind"),)


class ReconcileSeen(TenantTable, tablename="core_reconcile_seen"):
    """Scratch list of the legacy ids a running reconciliation has seen upstream (emptied before and after).

    A table rather than a Python set: a million call-record ids stay out of memory,
    and "which of these hall rows were seen" is an indexed look-up.
    """

    kind = Varchar(length=16)
    legacy_id = Varchar(length=80)
    UNIQUE_TOGETHER = (("tenant", "kind", "legacy_id"),)


class ChangeReconcileRun(TenantTable, tablename="core_change_reconcile_run"):
    """One change reconciliation of a kind (core.legacy.change_reconcile): its progress while it runs, its summary after.

    ``cursor`` is the legacy listing's position after the last chunk committed (with
    that chunk's repairs, in one transaction), so a run cut short continues there.
    """

    kind = Varchar(length=16)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)  # None while running (or cut short: the next run continues it)
    cursor = Text(default="")
    chunks = Integer(default=0)
    compared = Integer(default=0)  # legacy rows compared with the hall's copy
    changed = Integer(default=0)  # rows whose content differed: re-fetched and written
    missing = Integer(default=0)  # rows the hall did not have at all: written
    deleted = Integer(default=0)  # rows gone upstream: removed (customers: closed) by core.legacy.reconcile
    quarantined = Integer(default=0)  # rows that failed validation (left to, or put in, the quarantine)
    seconds = Integer(default=0)  # working time, summed over resumptions
    note = Text(default="")  # why the deletion step refused or the run failed; "" when it went through
    INDEX_TOGETHER = (("tenant", "kind", "finished_at"),)
