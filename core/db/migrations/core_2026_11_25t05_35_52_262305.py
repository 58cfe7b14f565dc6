"""Composite indexes of the work-order tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T05:35:52:262305"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of the work-order tables"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_department", ("tenant", "code")),
            ("core_department_member", ("tenant", "department", "operator")),
            ("core_workorder", ("tenant", "number")),
            ("core_workorder_counter", ("tenant", "prefix", "year")),
        ],
        plain=[
            ("core_department_member", ("tenant", "operator")),
            ("core_workorder", ("tenant", "department", "state")),
            ("core_workorder", ("tenant", "assignee", "state")),
            ("core_workorder", ("tenant", "customer", "created_at")),
            ("core_workorder", ("tenant", "type", "created_at")),
            ("core_workorder", ("tenant", "created_at")),
            ("core_workorder", ("tenant", "closed_at", "deadline_at")),
            ("core_workorder_event", ("tenant", "workorder")),
            ("core_workorder_comment", ("tenant", "workorder")),
        ],
    )
    return manager
