"""Composite indexes of the phone tables: one live hold per number and per customer and purpose (NULLs never collide)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T14:40:24:692503"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phone", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("phone_number_hold", ("tenant", "live_number")),
            ("phone_number_hold", ("tenant", "live_holder")),
        ],
        plain=[
            ("phone_number_hold", ("tenant", "state", "expires_at")),
            ("phone_number_hold", ("tenant", "identity", "state")),
            ("phone_number_hold", ("tenant", "account_id")),
            ("phone_feature_request", ("tenant", "number", "state")),
        ],
    )
    return manager
