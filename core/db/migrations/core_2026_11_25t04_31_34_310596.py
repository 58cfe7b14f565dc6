"""Composite indexes of the bill, call-record and quarantine tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T04:31:34:310596"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of bills, call records and the sync quarantine"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_bill", ("tenant", "legacy_id")),
            ("core_bill_item", ("tenant", "legacy_id")),
            ("core_call_record", ("tenant", "legacy_id")),
            ("core_sync_quarantine", ("tenant", "kind", "legacy_id")),
        ],
        plain=[
            ("core_bill", ("tenant", "number", "month")),
            ("core_bill_item", ("tenant", "bill_legacy_id")),
            ("core_call_record", ("tenant", "number", "started_at")),
            ("core_sync_quarantine", ("tenant", "kind", "resolved_at")),
        ],
    )
    return manager
