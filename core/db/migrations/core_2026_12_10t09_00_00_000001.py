"""Indexes of the recurring-charge tables; the unique (tenant, product_id, period) key is what makes a charge once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-10T09:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of charges, charge runs and charge notices"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_charge", ("tenant", "product_id", "period")),
            ("core_charge_notice", ("tenant", "product_id", "period", "kind")),
        ],
        plain=[
            ("core_charge", ("tenant", "state", "account_legacy_id")),
            ("core_charge", ("tenant", "run_id")),
            ("core_charge", ("tenant", "period")),
            ("core_charge_run", ("tenant", "started_at")),
        ],
    )
    return manager
