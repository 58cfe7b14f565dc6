"""The BSS side of a reconciliation report: what the BSS's own payment records showed (counts, payments made elsewhere)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconciliation report: BSS summary"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billpay", description=DESCRIPTION)
    manager.add_column(
        table_class_name="ReconReport",
        tablename="billpay_recon_report",
        column_name="bss",
        db_column_name="bss",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
