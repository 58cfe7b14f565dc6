"""Indexes of the API tables: a token, a code or a client id is looked up by its (tenant, hash) on every call."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-12T09:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of core_api_client, core_api_token, core_api_code"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_api_client", ("tenant", "client_id")),
            ("core_api_token", ("tenant", "token_hash")),
            ("core_api_code", ("tenant", "code_hash")),
            ("core_api_delivery", ("tenant", "event_id", "listener")),
        ],
        plain=[
            ("core_api_token", ("tenant", "client")),
            ("core_api_delivery", ("tenant", "status", "next_attempt_at")),
        ],
    )
    return manager
