"""Composite indexes of the top-up table added by the previous migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T11:26:33:379836"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="topup", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("topup_topup", ("tenant", "intent_id")),
            ("topup_topup", ("tenant", "receipt_id")),
        ],
        plain=[
            ("topup_topup", ("tenant", "number", "paid_at")),
            ("topup_topup", ("tenant", "holder_id", "created_at")),
            ("topup_topup", ("tenant", "payer_id", "created_at")),
            ("topup_topup", ("tenant", "created_at")),
        ],
    )
    return manager
