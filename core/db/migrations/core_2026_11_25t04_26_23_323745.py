"""Composite indexes of the core tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T04:26:23:323745"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_customer", ("tenant", "legacy_id")),
            ("core_service_number", ("tenant", "number")),
            ("core_customer_account", ("tenant", "customer_legacy_id")),
            ("core_customer_account", ("tenant", "email")),
            ("core_account_number", ("tenant", "number")),
            ("core_operator", ("tenant", "username")),
            ("core_role", ("tenant", "name")),
            ("core_operator_role", ("operator", "role")),
            ("core_sync_state", ("tenant", "kind")),
        ],
        plain=[
            ("core_customer", ("tenant", "id_hash")),
            ("core_service_number", ("tenant", "customer_legacy_id")),
        ],
    )
    return manager
