"""Composite indexes of billpay's tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-11-25T08:39:05:059925"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billpay", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("billpay_bill_payment", ("tenant", "intent_id", "bill_legacy_id")),
            ("billpay_invoice", ("tenant", "intent_id")),
            ("billpay_invoice", ("tenant", "invoice_no")),
        ],
        plain=[
            ("billpay_bill_payment", ("tenant", "bill_legacy_id")),
            ("billpay_bill_payment", ("tenant", "number", "created_at")),
            ("billpay_invoice", ("tenant", "customer_id")),
            ("billpay_recon_report", ("tenant", "day_from", "trigger")),
            ("billpay_recon_report", ("tenant", "created_at")),
        ],
    )
    return manager
