"""Composite indexes of the payment tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T06:14:14:133430"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of the payment tables"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_payment_intent", ("tenant", "public_id")),
            ("core_payment_intent", ("tenant", "idempotency_key")),
            ("core_payment_refund", ("tenant", "refund_id")),
        ],
        plain=[
            ("core_payment_intent", ("tenant", "state", "updated_at")),
            ("core_payment_intent", ("tenant", "owner", "reference")),
            ("core_payment_intent", ("tenant", "customer_id")),
            ("core_payment_event", ("tenant", "intent_id")),
            ("core_payment_refund", ("tenant", "intent_id")),
            ("core_payment_refund", ("tenant", "state")),
        ],
    )
    return manager
