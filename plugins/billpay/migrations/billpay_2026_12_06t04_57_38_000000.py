"""Composite indexes of the invoice tables added by the previous migration (credit notes, the counter, the local provider's store)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T04:57:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "invoice composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billpay", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("billpay_credit_note", ("tenant", "refund_id")),
            ("billpay_credit_note", ("tenant", "invoice_no")),
            ("billpay_invoice_counter", ("tenant", "series")),
            ("billpay_local_einvoice", ("tenant", "request_no")),
            ("billpay_local_einvoice", ("tenant", "provider_no")),
        ],
        plain=[
            ("billpay_invoice", ("tenant", "state")),
            ("billpay_credit_note", ("tenant", "intent_id")),
            ("billpay_credit_note", ("tenant", "state")),
        ],
    )
    return manager
